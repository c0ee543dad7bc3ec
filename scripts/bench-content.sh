#!/usr/bin/env bash
# Content API benchmark (issue 4, item 10; issue 13).
#
# For each database (SQLite, and PostgreSQL when PG_URL is set) and each
# size it seeds a database with that many published items
# (scripts/bench/seed), starts `cms serve` on loopback, and drives load with
# wrk at three public endpoints:
#   detail  GET /content/v1/items/{id}            (a news item near the middle)
#   list    GET /content/v1/columns/news/items    (first page)
#   search  GET /content/v1/search?q=…            (a query that matches a few percent)
# Each is measured against the cms server and against a bare net/http server
# (scripts/bench/bare) that writes the same bytes with the same Content-Type,
# ETag and Cache-Control, in the same run, rounds alternating, so that the
# ratio says how much of the machine's ceiling the server reaches:
#   hit   the cms server with its response cache on (every request a hit);
#   miss  a second cms server with its response cache off, every request
#         built from the database (item detail over random ids), again
#         alternating with the bare server;
#   mixed scripts/bench/load against the cms server with its cache on:
#         reads over all items with a Zipf distribution, 5 % of the requests
#         walking new revisions through the workflow to publication; it
#         prints the hit ratio, the reads' p50/p99/maximum and the server's
#         RSS against the cache's budget.
# Figures are medians over ROUNDS rounds. The load average is printed with
# them: on a shared machine absolute numbers are noise, ratios measured in
# the same run much less so. It prints a table and the goal checks, and
# exits 0 whether the goals are met or not: it is a measurement, not a test.
#
# Environment:
#   DURATION=10        seconds per wrk run
#   SIZES="1000 100000"; BIG=1 adds 1000000 (seeding it takes long: see SEED_CACHE)
#   DBS="sqlite postgres" (postgres only with PG_URL=postgres://…; each size
#                      runs in a schema of its own, dropped afterwards unless cached)
#   CONNECTIONS=64 THREADS=2
#   SEARCH_Q=提取      the search query
#   ROUNDS=3           runs per endpoint and server, alternating cms and bare;
#                      the median of each figure is reported
#   UNCACHED=1         also run the cache-miss pass (0: skip it)
#   MIXED=30           seconds of the mixed run (0: skip it); MIXED_WRITES=0.05
#   SEED_CACHE=DIR     keep seeded databases in DIR (sqlite-N/ copied for each
#                      run; a PostgreSQL schema per size, kept) and reuse them
#   CMS_CACHE_BYTES, CMS_CACHE_ENTRIES  passed through to the server when set
#   KEEP=1             keep the temporary directory (databases, logs, wrk output)
#   PROFILE=1          take a CPU profile of the server (CMS_DEBUG_ADDR, pprof)
#                      during the item-detail miss run at each size on the
#                      first database, and print its top ten functions (0: skip)
set -euo pipefail

DURATION=${DURATION:-10}
SIZES=${SIZES:-"1000 100000"}
[ "${BIG:-0}" = 1 ] && SIZES="$SIZES 1000000"
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SEARCH_Q=${SEARCH_Q:-提取}
UNCACHED=${UNCACHED:-1}
PG_URL=${PG_URL:-}
DBS=${DBS:-$([ -n "$PG_URL" ] && echo "sqlite postgres" || echo sqlite)}
KEEP=${KEEP:-0}
ROUNDS=${ROUNDS:-3}
PROFILE=${PROFILE:-1}
MIXED=${MIXED:-30}
MIXED_WRITES=${MIXED_WRITES:-0.05}
SEED_CACHE=${SEED_CACHE:-}

cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for db in $DBS; do
  case "$db" in
    sqlite) ;;
    postgres) [ -n "$PG_URL" ] || die "postgres needs PG_URL=postgres://…" ;;
    *) die "DBS holds sqlite and/or postgres" ;;
  esac
done
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 1 ] || die "DURATION must be a whole number of seconds"
[[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || die "ROUNDS must be a positive whole number"
[[ "$MIXED" =~ ^[0-9]+$ ]] || die "MIXED must be a whole number of seconds"

# wrk comes from Debian.
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 $SUDO apt-get install -y -qq wrk >/dev/null ||
    { timeout 300 $SUDO apt-get update -qq && timeout 300 $SUDO apt-get install -y -qq wrk >/dev/null; } ||
    die "could not install wrk (apt-get install -y wrk)"
fi
command -v curl >/dev/null 2>&1 || die "curl is needed"

TMP=$(mktemp -d /tmp/cms-bench.XXXXXX)
CMS_PID=""
BARE_PID=""
PG_SCHEMA=""
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

stop_pid() { # stop_pid PID: TERM, then KILL after 10 s
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

drop_schema() {
  if [ -n "$PG_SCHEMA" ]; then
    timeout 120 "$TMP/seed" -db "$PG_URL" -pg-drop-schema "$PG_SCHEMA" || log "could not drop schema $PG_SCHEMA"
    PG_SCHEMA=""
  fi
}

cleanup() {
  stop_pid "$BARE_PID"; BARE_PID=""
  stop_pid "$CMS_PID"; CMS_PID=""
  drop_schema
  if [ "$KEEP" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building into $TMP"
for c in cms seed bare load; do
  src=./scripts/bench/$c
  [ "$c" = cms ] && src=./cmd/cms
  timeout 900 go build -o "$TMP/$c" "$src"
done

free_port() { # a loopback port nobody listens on
  local p i
  for i in $(seq 100); do
    p=$((30000 + (RANDOM * 32768 + RANDOM) % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port"
}

urlencode() { # percent-encodes every byte: always a valid query
  printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g' | tr a-f A-F
}

strong_password() {
  printf '%sAa1!' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
}

# The seeded editorial chain's password (seed -chain-password), kept with
# the cached databases.
if [ -n "$SEED_CACHE" ]; then
  mkdir -p "$SEED_CACHE"
  [ -s "$SEED_CACHE/chain.pw" ] || strong_password >"$SEED_CACHE/chain.pw"
  CHAIN_PW=$(cat "$SEED_CACHE/chain.pw")
else
  CHAIN_PW=$(strong_password)
fi

# wrk's script for the uncached pass (run against a server whose response
# cache is off): for item detail, a random published item on every request.
cat >"$TMP/nocache.lua" <<'LUA'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  base = args[1]
  maxid = tonumber(args[2])
  counter = 0
  math.randomseed(tid * 7919 + os.time())
end
function request()
  counter = counter + 1
  local path = base
  if maxid then path = "/content/v1/items/" .. math.random(1, maxid) end
  local sep = path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, path .. sep .. "nocache=" .. tid .. "-" .. counter)
end
LUA

to_ms() { # wrk latency (1.23ms, 456.00us, 1.20s, 1.00m) in milliseconds
  awk -v v="$1" 'BEGIN {
    if (v == "") { print ""; exit }
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) print ""; else printf "%.3f", n * f
  }'
}

declare -A R # results: R[db.n.endpoint.kind.field] and the like

run_wrk() { # run_wrk KEY URL [script args…]: one bounded wrk run, parsed into R
  local key=$1 url=$2 out="$TMP/wrk-$1.txt"
  shift 2
  local extra=()
  [ $# -gt 0 ] && extra=(-s "$TMP/nocache.lua" "$url" -- "$@") || extra=("$url")
  if ! timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${extra[@]}" >"$out" 2>&1; then
    log "wrk $key failed: $(tail -3 "$out" | tr '\n' ' ')"
  fi
  R[$key.rps]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  R[$key.p50]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  R[$key.p99]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  local non2xx sockerr
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out")
  sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")
  R[$key.err]=$(( ${non2xx:-0} + ${sockerr:-0} ))
}

median_of() { # median_of KEY: each figure of KEY is the median of its rounds' (errors: the sum)
  local key=$1 r f
  for f in rps p50 p99; do
    R[$key.$f]=$(for r in $(seq "$ROUNDS"); do echo "${R[$key.r$r.$f]:-}"; done | awk 'NF' | sort -g |
      awk '{v[NR] = $1} END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  done
  R[$key.err]=0
  for r in $(seq "$ROUNDS"); do R[$key.err]=$(( ${R[$key.err]} + ${R[$key.r$r.err]:-0} )); done
}

proc_kib() { # proc_kib PID FIELD: a /proc/PID/status value in KiB
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || true
}

cold_ms() { # one request, its total time in ms
  curl -s -o /dev/null --max-time 60 -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'
}

ENDPOINTS="detail list search"
QENC=$(urlencode "$SEARCH_Q")
FIRST_DB=$(awk '{print $1}' <<<"$DBS")
PROFILES=()

start_cms() { # start_cms TAG [VAR=value…]: cms on a free port over the seeded data; sets port, CMS_PID, SERVER
  local attempt
  for attempt in 1 2 3; do # another process may take the port first
    try_start_cms "$@" && { wait_idle "$1"; return; }
    stop_pid "$CMS_PID"; CMS_PID=""
  done
  tail -20 "$TMP/cms-$1.log" >&2; die "cms did not become ready"
}

try_start_cms() { # every start serves the profiler and counters on a port of its own, dport
  local tag=$1; shift
  port=$(free_port)
  dport=$(free_port)
  while [ "$dport" = "$port" ]; do dport=$(free_port); done
  set -- "$@" CMS_DEBUG_ADDR="127.0.0.1:$dport"
  log "starting cms on 127.0.0.1:$port $*"
  # Under timeout, so that the server stops by itself even if this script is
  # killed outright; timeout passes our TERM on to it. SERVER is the cms
  # process itself, whose memory we read.
  env CMS_ADDR="127.0.0.1:$port" CMS_DATA_DIR="$data" CMS_DATABASE_URL="$dburl" CMS_AUDIT_KEY_FILE="$data/audit.key" \
    CMS_ADMIN_PASSWORD="$(strong_password)" CMS_CONTENT_RATE=0 CMS_LOG_LEVEL=warn "$@" \
    timeout -s TERM 3h "$TMP/cms" serve >>"$TMP/cms-$tag.log" 2>&1 &
  CMS_PID=$!
  local i ok=0
  SERVER=""
  for i in $(seq 600); do
    [ -n "$SERVER" ] || SERVER=$(pgrep -P "$CMS_PID" | head -1 || true)
    if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$port/readyz"; then ok=1; break; fi
    kill -0 "$CMS_PID" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$SERVER" ] || SERVER=$(pgrep -P "$CMS_PID" | head -1 || true)
  [ "$ok" = 1 ] && [ -n "$SERVER" ]
}

cpu_ticks() { # cpu_ticks PID: user + system clock ticks the process has used
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

wait_idle() { # wait_idle TAG: until the server's start-up work (the integrity patrol over every row) is done
  # Three quiet seconds in a row: on a loaded machine a busy server can
  # be starved of CPU for one.
  local t0 a b i quiet=0
  t0=$(date +%s)
  for i in $(seq 1200); do
    a=$(cpu_ticks "$SERVER"); sleep 1; b=$(cpu_ticks "$SERVER")
    if [ $((b - a)) -le 3 ]; then quiet=$((quiet + 1)); else quiet=0; fi # under 3 % of a core
    [ "$quiet" -ge 3 ] && break
  done
  R[$1.settle]=$(( $(date +%s) - t0 ))
  # The first start patrols every row; the later ones over the same data
  # find that complete patrol recent and defer theirs.
  if [ -z "${R[$1.settle_first]:-}" ]; then R[$1.settle_first]=${R[$1.settle]}; fi
  [ "${R[$1.settle]}" -le 4 ] || log "the server's start-up work took ${R[$1.settle]} s"
}

seed_into() { # seed_into DB N: a seeded database for this run; sets dburl, data, seedout (and PG_SCHEMA when it is to be dropped)
  local db=$1 n=$2
  seedout="$TMP/seed-$db-$n.out"
  if [ "$db" = postgres ]; then
    local vars cached="${SEED_CACHE:+$SEED_CACHE/postgres-$n}"
    if [ -n "$cached" ] && [ -s "$cached/seed.out" ] && [ -s "$cached/url" ]; then
      log "reusing the seeded schema of $n items (postgres, $cached)"
      dburl=$(cat "$cached/url"); cp "$cached/audit.key" "$data/audit.key"; cp "$cached/seed.out" "$seedout"
      return
    fi
    vars=$(timeout 120 "$TMP/seed" -db "$PG_URL" -pg-new-schema) || die "could not create a schema in PG_URL"
    dburl=$(sed -n 's/^PG_SCHEMA_URL=//p' <<<"$vars")
    [ -n "$cached" ] || PG_SCHEMA=$(sed -n 's/^PG_SCHEMA=//p' <<<"$vars")
    log "seeding $n items (postgres)"
    timeout 10800 "$TMP/seed" -db "$dburl" -n "$n" -key "$data/audit.key" -chain-password "$CHAIN_PW" >"$seedout" 2>"$TMP/seed-$db-$n.log" ||
      { cat "$TMP/seed-$db-$n.log" >&2; die "seed failed"; }
    if [ -n "$cached" ]; then
      mkdir -p "$cached"; cp "$data/audit.key" "$seedout" "$cached/"; mv "$cached/$(basename "$seedout")" "$cached/seed.out"
      echo "$dburl" >"$cached/url"
    fi
  else
    local cached="${SEED_CACHE:+$SEED_CACHE/sqlite-$n}"
    if [ -z "$cached" ] || ! [ -s "$cached/seed.out" ]; then
      local into=${cached:-$data}
      mkdir -p "$into"
      log "seeding $n items (sqlite)"
      timeout 10800 "$TMP/seed" -db "sqlite://$into/cms.db" -n "$n" -key "$into/audit.key" -chain-password "$CHAIN_PW" \
        >"$TMP/seed-$db-$n.out.tmp" 2>"$TMP/seed-$db-$n.log" || { cat "$TMP/seed-$db-$n.log" >&2; die "seed failed"; }
      mv "$TMP/seed-$db-$n.out.tmp" "$into/seed.out"
    fi
    if [ -n "$cached" ]; then
      log "copying the seeded database of $n items (sqlite, $cached)"
      cp "$cached/cms.db" "$cached/audit.key" "$data/"
    fi
    cp "${cached:-$data}/seed.out" "$seedout"
    dburl="sqlite://$data/cms.db"
  fi
}

bench_size() { # bench_size DB N
  local db=$1 n=$2 data="$TMP/data-$1-$2" dburl port bport path ep r seedout k="$1.$2"
  mkdir -p "$data"
  seed_into "$db" "$n"
  grep -v 'items (' "$TMP/seed-$db-$n.log" >&2 2>/dev/null || true
  local item_id matches
  item_id=$(sed -n 's/^ITEM_ID=//p' "$seedout")
  R[$k.seed]=$(sed -n 's/^SEED_SECONDS=//p' "$seedout")
  R[$k.news]=$(sed -n 's/^NEWS_ITEMS=//p' "$seedout")
  matches=$(sed -n 's/^MATCHES_[0-9]*=//p' "$seedout" | tr '\n' ' ')
  R[$k.matches]=$matches
  [ "$db" = sqlite ] && R[$k.dbsize]=$(du -sh "$data" | cut -f1) || R[$k.dbsize]="-"

  declare -A P=([detail]="/content/v1/items/$item_id" [list]="/content/v1/columns/news/items" [search]="/content/v1/search?q=$QENC")

  start_cms "$k"
  R[$k.rss_idle]=$(proc_kib "$SERVER" VmRSS)

  # First requests: cache misses on a cold server.
  for ep in $ENDPOINTS; do
    R[$k.$ep.cold]=$(cold_ms "http://127.0.0.1:$port${P[$ep]}")
  done

  bport=$(free_port)
  "$TMP/bare" -upstream "http://127.0.0.1:$port" -addr "127.0.0.1:$bport" -max-lifetime 3h \
    "${P[detail]}" "${P[list]}" "${P[search]}" >"$TMP/bare-$k.out" 2>"$TMP/bare-$k.log" &
  BARE_PID=$!
  local ok=0 i
  for i in $(seq 150); do
    if grep -q '^ready' "$TMP/bare-$k.out" 2>/dev/null; then ok=1; break; fi
    kill -0 "$BARE_PID" 2>/dev/null || break
    sleep 0.2
  done
  [ "$ok" = 1 ] || { cat "$TMP/bare-$k.log" >&2; die "bare server did not start"; }
  for ep in $ENDPOINTS; do
    R[$k.$ep.bytes]=$(curl -s -o /dev/null --max-time 10 -w '%{size_download}' "http://127.0.0.1:$bport${P[$ep]}")
  done

  log "warming up"
  local saved=$DURATION
  DURATION=1
  for ep in $ENDPOINTS; do
    run_wrk "warm-$k-$ep-cms" "http://127.0.0.1:$port${P[$ep]}"
    run_wrk "warm-$k-$ep-bare" "http://127.0.0.1:$bport${P[$ep]}"
  done
  DURATION=$saved

  for ep in $ENDPOINTS; do
    for r in $(seq "$ROUNDS"); do
      log "$db n=$n $ep hit: cms, then bare (${DURATION}s each, round $r of $ROUNDS)"
      run_wrk "$k.$ep.hit.r$r" "http://127.0.0.1:$port${P[$ep]}"
      run_wrk "$k.$ep.barehit.r$r" "http://127.0.0.1:$bport${P[$ep]}"
    done
    median_of "$k.$ep.hit"
    median_of "$k.$ep.barehit"
  done
  R[$k.rss]=$(proc_kib "$SERVER" VmRSS)
  R[$k.hwm]=$(proc_kib "$SERVER" VmHWM)

  if [ "$UNCACHED" = 1 ]; then
    # A server with its response cache off: what a miss costs, alternating
    # with the bare server, which still answers the same bytes.
    stop_pid "$CMS_PID"; CMS_PID=""
    start_cms "$k" CMS_CACHE_ENTRIES=0
    for ep in $ENDPOINTS; do
      for r in $(seq "$ROUNDS"); do
        log "$db n=$n $ep miss: cms with its cache off, then bare (${DURATION}s each, round $r of $ROUNDS)"
        local prof_pid=""
        if [ "$ep" = detail ] && [ "$r" = 1 ] && [ "$PROFILE" = 1 ] && [ "$db" = "$FIRST_DB" ] && [ "$DURATION" -ge 3 ]; then
          # A CPU profile of the server over the middle of the run.
          curl -s --max-time $((DURATION + 30)) -o "$TMP/miss-$k.pprof" \
            "http://127.0.0.1:$dport/debug/pprof/profile?seconds=$((DURATION - 2))" &
          prof_pid=$!
        fi
        if [ "$ep" = detail ]; then
          run_wrk "$k.$ep.miss.r$r" "http://127.0.0.1:$port${P[$ep]}" "${P[$ep]}" "$n"
        else
          run_wrk "$k.$ep.miss.r$r" "http://127.0.0.1:$port${P[$ep]}" "${P[$ep]}"
        fi
        if [ -n "$prof_pid" ]; then
          wait "$prof_pid" || true
          go tool pprof -top -nodecount=10 "$TMP/cms" "$TMP/miss-$k.pprof" >"$TMP/miss-$k.top" 2>/dev/null || true
          go tool pprof -top -cum -nodecount=25 "$TMP/cms" "$TMP/miss-$k.pprof" >"$TMP/miss-$k.cum" 2>/dev/null || true
          PROFILES+=("$k")
        fi
        run_wrk "$k.$ep.baremiss.r$r" "http://127.0.0.1:$bport${P[$ep]}"
      done
      median_of "$k.$ep.miss"
      median_of "$k.$ep.baremiss"
    done
    R[$k.hwm_miss]=$(proc_kib "$SERVER" VmHWM)
  fi
  stop_pid "$BARE_PID"; BARE_PID=""

  if [ "$MIXED" -gt 0 ]; then
    # Last, since it publishes: reads spread over every item, the cache
    # filling and emptied by publications as in production.
    stop_pid "$CMS_PID"; CMS_PID=""
    start_cms "$k"
    log "$db n=$n mixed: reads over every item (Zipf), $MIXED_WRITES of the requests publishing (${MIXED}s)"
    if timeout $((MIXED + 120)) "$TMP/load" -base "http://127.0.0.1:$port" -debug "http://127.0.0.1:$dport" -items "$n" \
      -c "$CONNECTIONS" -d "${MIXED}s" -writes "$MIXED_WRITES" -password "$CHAIN_PW" >"$TMP/mixed-$k.out" 2>"$TMP/mixed-$k.log"; then
      local kv
      while IFS='=' read -r kv v; do R[$k.mixed.$kv]=$v; done <"$TMP/mixed-$k.out"
    else
      log "mixed run failed: $(tail -3 "$TMP/mixed-$k.log" | tr '\n' ' ')"
    fi
    R[$k.rss_mixed]=$(proc_kib "$SERVER" VmRSS)
    R[$k.hwm_mixed]=$(proc_kib "$SERVER" VmHWM)
    R[$k.cache_budget]=$(curl -s --max-time 10 "http://127.0.0.1:$dport/debug/vars" |
      sed -n 's/.*"content_cache":{[^}]*"MaxBytes":\([0-9]*\).*/\1/p')
  fi

  stop_pid "$CMS_PID"; CMS_PID=""
  # wrk closes its connections with requests in flight at the end of every
  # run, and the server logs those as failed requests (500) too: count them
  # apart. The access-log line of a failed request is not counted twice.
  R[$k.logwarn]=$(grep -iE 'level=(warn|error)|panic' "$TMP/cms-$k.log" | grep -v 'context canceled' | grep -cv ' msg=request ' || true)
  R[$k.logcancel]=$(grep -c 'error="context canceled"' "$TMP/cms-$k.log" || true)
  if [ "${R[$k.logwarn]}" != 0 ]; then
    log "cms log of $db n=$n has ${R[$k.logwarn]} warnings or errors besides cancelled requests, e.g.:"
    grep -iE 'level=(warn|error)|panic' "$TMP/cms-$k.log" | grep -v 'context canceled' | grep -v ' msg=request ' | head -5 >&2 || true
  fi
  drop_schema
  [ "$KEEP" = 1 ] || rm -rf "$data"
}

for db in $DBS; do
  for n in $SIZES; do
    bench_size "$db" "$n"
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

. scripts/bench/report.sh

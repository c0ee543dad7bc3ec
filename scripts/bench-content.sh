#!/usr/bin/env bash
# Content API benchmark (issue 4, item 10).
#
# For each database size it seeds a fresh database with that many published
# items (scripts/bench/seed), starts `cms serve` on loopback, and drives load
# with wrk at three public endpoints:
#   detail  GET /content/v1/items/{id}            (a news item near the middle)
#   list    GET /content/v1/columns/news/items    (first page)
#   search  GET /content/v1/search?q=…            (a query that matches a few percent)
# Each is measured against the cms server and against a bare net/http server
# (scripts/bench/bare) that writes the same bytes with the same Content-Type,
# ETag and Cache-Control, in the same run, so that the ratio says how much of
# the machine's ceiling the server reaches. The cms server's RSS is read from
# /proc after the runs. A second pass defeats the response cache (a unique
# query parameter per request, random item ids), to show what a cache miss
# costs as the database grows. It prints a table and the goal checks, and
# exits 0 whether the goals are met or not: it is a measurement, not a test.
#
# Environment:
#   DURATION=10        seconds per wrk run
#   SIZES="1000 100000"
#   CONNECTIONS=64 THREADS=2
#   SEARCH_Q=提取      the search query
#   ROUNDS=1           runs per endpoint and server, alternating cms and bare;
#                      the best of each is reported (helps on a busy machine)
#   UNCACHED=1         also run the cache-miss pass (0: skip it)
#   DB=sqlite          or DB=postgres with PG_URL=postgres://… (each size runs
#                      in a fresh schema of that database, dropped afterwards)
#   CMS_CACHE_BYTES, CMS_CACHE_ENTRIES  passed through to the server when set
#   KEEP=1             keep the temporary directory (databases, logs, wrk output)
#   PROFILE=1          take a CPU profile of the server (CMS_DEBUG_ADDR, pprof)
#                      during the item-detail miss run at the largest size, and
#                      print its top ten functions (0: skip it)
set -euo pipefail

DURATION=${DURATION:-10}
SIZES=${SIZES:-"1000 100000"}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SEARCH_Q=${SEARCH_Q:-提取}
UNCACHED=${UNCACHED:-1}
DB=${DB:-sqlite}
PG_URL=${PG_URL:-}
KEEP=${KEEP:-0}
ROUNDS=${ROUNDS:-1}
PROFILE=${PROFILE:-1}

cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$DB" in
  sqlite) ;;
  postgres) [ -n "$PG_URL" ] || die "DB=postgres needs PG_URL=postgres://…" ;;
  *) die "DB must be sqlite or postgres" ;;
esac
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 1 ] || die "DURATION must be a whole number of seconds"
[[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || die "ROUNDS must be a positive whole number"

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
timeout 900 go build -o "$TMP/cms" ./cmd/cms
timeout 900 go build -o "$TMP/seed" ./scripts/bench/seed
timeout 900 go build -o "$TMP/bare" ./scripts/bench/bare

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

declare -A R # results: R[key.field]

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
  R[$key.req]=$(awk '/requests in/ {print $1}' "$out")
  local non2xx sockerr
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out")
  sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")
  R[$key.err]=$(( ${non2xx:-0} + ${sockerr:-0} ))
}

best_of() { # best_of KEY: the round of KEY with the most requests per second becomes KEY
  local key=$1 r best=1 f
  for r in $(seq "$ROUNDS"); do
    if [ "${R[$key.r$r.rps]:-0}" -gt "${R[$key.r$best.rps]:-0}" ]; then best=$r; fi
  done
  for f in rps p50 p99 req; do R[$key.$f]=${R[$key.r$best.$f]:-}; done
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
PROFILE_TOP=""
QENC=$(urlencode "$SEARCH_Q")

start_cms() { # start_cms N [VAR=value…]: cms on a free port over the seeded data; sets port, CMS_PID, SERVER
  local n=$1; shift
  port=$(free_port)
  log "starting cms on 127.0.0.1:$port $*"
  # Under timeout, so that the server stops by itself even if this script is
  # killed outright; timeout passes our TERM on to it. SERVER is the cms
  # process itself, whose memory we read.
  env CMS_ADDR="127.0.0.1:$port" CMS_DATA_DIR="$data" CMS_DATABASE_URL="$dburl" \
    CMS_ADMIN_PASSWORD="$(strong_password)" CMS_CONTENT_RATE=0 CMS_LOG_LEVEL=warn "$@" \
    timeout -s TERM 3h "$TMP/cms" serve >>"$TMP/cms-$n.log" 2>&1 &
  CMS_PID=$!
  local i ok=0
  SERVER=""
  for i in $(seq 300); do
    [ -n "$SERVER" ] || SERVER=$(pgrep -P "$CMS_PID" | head -1 || true)
    if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$port/readyz"; then ok=1; break; fi
    kill -0 "$CMS_PID" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$SERVER" ] || SERVER=$(pgrep -P "$CMS_PID" | head -1 || true)
  [ "$ok" = 1 ] && [ -n "$SERVER" ] || { tail -20 "$TMP/cms-$n.log" >&2; die "cms did not become ready"; }
}

bench_size() {
  local n=$1 data="$TMP/data-$1" dburl port bport path ep
  mkdir -p "$data"
  if [ "$DB" = postgres ]; then
    local vars
    vars=$(timeout 120 "$TMP/seed" -db "$PG_URL" -pg-new-schema) || die "could not create a schema in PG_URL"
    PG_SCHEMA=$(sed -n 's/^PG_SCHEMA=//p' <<<"$vars")
    dburl=$(sed -n 's/^PG_SCHEMA_URL=//p' <<<"$vars")
  else
    dburl="sqlite://$data/cms.db"
  fi

  log "seeding $n items ($DB)"
  timeout 900 "$TMP/seed" -db "$dburl" -n "$n" -key "$data/audit.key" >"$TMP/seed-$n.out" 2>"$TMP/seed-$n.log" ||
    { cat "$TMP/seed-$n.log" >&2; die "seed failed"; }
  grep -v 'items (' "$TMP/seed-$n.log" >&2 || true
  local item_id matches
  item_id=$(sed -n 's/^ITEM_ID=//p' "$TMP/seed-$n.out")
  R[$n.seed]=$(sed -n 's/^SEED_SECONDS=//p' "$TMP/seed-$n.out")
  R[$n.news]=$(sed -n 's/^NEWS_ITEMS=//p' "$TMP/seed-$n.out")
  matches=$(sed -n 's/^MATCHES_[0-9]*=//p' "$TMP/seed-$n.out" | tr '\n' ' ')
  R[$n.matches]=$matches
  [ "$DB" = sqlite ] && R[$n.dbsize]=$(du -sh "$data" | cut -f1) || R[$n.dbsize]="-"

  declare -A P=([detail]="/content/v1/items/$item_id" [list]="/content/v1/columns/news/items" [search]="/content/v1/search?q=$QENC")

  start_cms "$n"
  R[$n.rss_idle]=$(proc_kib "$SERVER" VmRSS)

  # First requests: cache misses on a cold server.
  for ep in $ENDPOINTS; do
    R[$n.$ep.cold]=$(cold_ms "http://127.0.0.1:$port${P[$ep]}")
  done

  bport=$(free_port)
  "$TMP/bare" -upstream "http://127.0.0.1:$port" -addr "127.0.0.1:$bport" -max-lifetime 2h \
    "${P[detail]}" "${P[list]}" "${P[search]}" >"$TMP/bare-$n.out" 2>"$TMP/bare-$n.log" &
  BARE_PID=$!
  ok=0
  for i in $(seq 150); do
    if grep -q '^ready' "$TMP/bare-$n.out" 2>/dev/null; then ok=1; break; fi
    kill -0 "$BARE_PID" 2>/dev/null || break
    sleep 0.2
  done
  [ "$ok" = 1 ] || { cat "$TMP/bare-$n.log" >&2; die "bare server did not start"; }
  for ep in $ENDPOINTS; do
    R[$n.$ep.bytes]=$(curl -s -o /dev/null --max-time 10 -w '%{size_download}' "http://127.0.0.1:$bport${P[$ep]}")
  done

  log "warming up"
  local saved=$DURATION
  DURATION=1
  for ep in $ENDPOINTS; do
    run_wrk "warm-$n-$ep-cms" "http://127.0.0.1:$port${P[$ep]}"
    run_wrk "warm-$n-$ep-bare" "http://127.0.0.1:$bport${P[$ep]}"
  done
  DURATION=$saved

  local r
  for ep in $ENDPOINTS; do
    for r in $(seq "$ROUNDS"); do
      log "n=$n $ep: cms, then bare (${DURATION}s each, round $r of $ROUNDS)"
      run_wrk "$n.$ep.cms.r$r" "http://127.0.0.1:$port${P[$ep]}"
      run_wrk "$n.$ep.bare.r$r" "http://127.0.0.1:$bport${P[$ep]}"
    done
    best_of "$n.$ep.cms"
    best_of "$n.$ep.bare"
  done
  R[$n.rss]=$(proc_kib "$SERVER" VmRSS)
  R[$n.hwm]=$(proc_kib "$SERVER" VmHWM)
  stop_pid "$BARE_PID"; BARE_PID=""

  if [ "$UNCACHED" = 1 ]; then
    # The same server with its response cache off: what a miss costs.
    stop_pid "$CMS_PID"; CMS_PID=""
    local dport
    dport=$(free_port)
    start_cms "$n" CMS_CACHE_ENTRIES=0 CMS_DEBUG_ADDR="127.0.0.1:$dport"
    for ep in $ENDPOINTS; do
      log "n=$n $ep: cms, every request a cache miss (${DURATION}s)"
      if [ "$ep" = detail ]; then
        local prof_pid=""
        if [ "$PROFILE" = 1 ] && [ "$n" = "$(awk '{print $NF}' <<<"$SIZES")" ] && [ "$DURATION" -ge 3 ]; then
          # A CPU profile of the server over the middle of the run.
          curl -s --max-time $((DURATION + 30)) -o "$TMP/miss-$n.pprof" \
            "http://127.0.0.1:$dport/debug/pprof/profile?seconds=$((DURATION - 2))" &
          prof_pid=$!
        fi
        run_wrk "$n.$ep.miss" "http://127.0.0.1:$port${P[$ep]}" "${P[$ep]}" "$n"
        if [ -n "$prof_pid" ]; then
          wait "$prof_pid" || true
          go tool pprof -top -nodecount=10 "$TMP/cms" "$TMP/miss-$n.pprof" >"$TMP/miss-$n.top" 2>/dev/null || true
          PROFILE_TOP="$TMP/miss-$n.top"
        fi
      else
        run_wrk "$n.$ep.miss" "http://127.0.0.1:$port${P[$ep]}" "${P[$ep]}"
      fi
    done
    R[$n.rss_miss]=$(proc_kib "$SERVER" VmRSS)
    R[$n.hwm_miss]=$(proc_kib "$SERVER" VmHWM)
  fi

  stop_pid "$CMS_PID"; CMS_PID=""
  # wrk closes its connections with requests in flight at the end of every
  # run, and the server logs those as failed requests (500) too: count them
  # apart. The access-log line of a failed request is not counted twice.
  R[$n.logwarn]=$(grep -iE 'level=(warn|error)|panic' "$TMP/cms-$n.log" | grep -v 'context canceled' | grep -cv ' msg=request ' || true)
  R[$n.logcancel]=$(grep -c 'error="context canceled"' "$TMP/cms-$n.log" || true)
  if [ "${R[$n.logwarn]}" != 0 ]; then
    log "cms log of n=$n has ${R[$n.logwarn]} warnings or errors besides cancelled requests, e.g.:"
    grep -iE 'level=(warn|error)|panic' "$TMP/cms-$n.log" | grep -v 'context canceled' | grep -v ' msg=request ' | head -5 >&2 || true
  fi
  drop_schema
  [ "$KEEP" = 1 ] || rm -rf "$data"
}

for n in $SIZES; do
  bench_size "$n"
done

# Report.

fmt() { [ -n "${1:-}" ] && printf '%s' "$1" || printf -- '-'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
mib() { awk -v k="${1:-}" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }
name() { case $1 in detail) echo "item detail" ;; list) echo "list, 1st page" ;; search) echo "search" ;; esac; }

SMALL=$(awk '{print $1}' <<<"$SIZES")
LARGE=$(awk '{print $NF}' <<<"$SIZES")

echo
echo "Content API benchmark: $DB, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over loopback (best of $ROUNDS), $(nproc) CPUs shared by wrk and the server"
echo "search q=$SEARCH_Q; ratio = cms rps / bare net/http rps (same bytes and headers, same run); latencies in ms"
echo
printf '%-8s %-15s %8s %9s %9s %6s %8s %8s %8s %8s %8s %7s\n' \
  items endpoint bytes "rps cms" "rps bare" ratio "p50" "p99" "bare p50" "bare p99" "1st req" errors
for n in $SIZES; do
  for ep in $ENDPOINTS; do
    printf '%-8s %-15s %8s %9s %9s %6s %8s %8s %8s %8s %8s %7s\n' "$n" "$(name "$ep")" "$(fmt "${R[$n.$ep.bytes]:-}")" \
      "$(fmt "${R[$n.$ep.cms.rps]:-}")" "$(fmt "${R[$n.$ep.bare.rps]:-}")" "$(ratio "${R[$n.$ep.cms.rps]:-}" "${R[$n.$ep.bare.rps]:-}")" \
      "$(fmt "${R[$n.$ep.cms.p50]:-}")" "$(fmt "${R[$n.$ep.cms.p99]:-}")" "$(fmt "${R[$n.$ep.bare.p50]:-}")" "$(fmt "${R[$n.$ep.bare.p99]:-}")" \
      "$(fmt "${R[$n.$ep.cold]:-}")" "$(( ${R[$n.$ep.cms.err]:-0} + ${R[$n.$ep.bare.err]:-0} ))"
  done
done
if [ "$UNCACHED" = 1 ]; then
  echo
  echo "Every request a cache miss (unique query parameter; item detail over random ids):"
  printf '%-8s %-15s %9s %8s %8s %7s\n' items endpoint "rps cms" p50 p99 errors
  for n in $SIZES; do
    for ep in $ENDPOINTS; do
      printf '%-8s %-15s %9s %8s %8s %7s\n' "$n" "$(name "$ep")" "$(fmt "${R[$n.$ep.miss.rps]:-}")" \
        "$(fmt "${R[$n.$ep.miss.p50]:-}")" "$(fmt "${R[$n.$ep.miss.p99]:-}")" "${R[$n.$ep.miss.err]:-0}"
    done
  done
fi
echo
echo "Server memory (MiB) and data:"
printf '%-8s %6s %11s %12s %14s %15s %7s %8s %9s %9s  %s\n' items idle "RSS (runs)" "peak (runs)" "RSS (+misses)" "peak (+misses)" "seed s" "db size" "log w/e" cancelled "news items; search matches"
for n in $SIZES; do
  printf '%-8s %6s %11s %12s %14s %15s %7s %8s %9s %9s  %s\n' "$n" "$(mib "${R[$n.rss_idle]:-}")" "$(mib "${R[$n.rss]:-}")" "$(mib "${R[$n.hwm]:-}")" \
    "$(mib "${R[$n.rss_miss]:-}")" "$(mib "${R[$n.hwm_miss]:-}")" "$(fmt "${R[$n.seed]:-}")" "$(fmt "${R[$n.dbsize]:-}")" \
    "${R[$n.logwarn]:-0}" "${R[$n.logcancel]:-0}" "${R[$n.news]:-} news; ${R[$n.matches]:-}"
done
echo "(log w/e: warnings and errors in the server log; cancelled: requests logged as failed (500, \"context canceled\") when wrk hung up)"

if [ -n "$PROFILE_TOP" ] && [ -s "$PROFILE_TOP" ]; then
  echo
  echo "CPU profile of the server during the item-detail miss run ($LARGE items), top ten by flat time:"
  sed -n '/flat%/,$p' "$PROFILE_TOP"
fi

check() { # check LABEL CONDITION-EXPRESSION (awk) DETAIL
  local verdict
  verdict=$(awk "BEGIN { print (($2) ? \"PASS\" : \"MISS\") }" 2>/dev/null || echo "n/a")
  printf '  %-4s  %-58s %s\n' "$verdict" "$1" "$3"
}
have() { [ -n "${1:-}" ] && [ "$1" != "-" ]; }

echo
echo "Goals (at $LARGE items, $CONNECTIONS connections):"
L=$LARGE S=$SMALL
r=$(ratio "${R[$L.detail.cms.rps]:-}" "${R[$L.detail.bare.rps]:-}")
if have "$r" && have "${R[$L.detail.cms.p99]:-}"; then
  check "item detail >= 0.5x bare, p99 < 10 ms" "$r >= 0.5 && ${R[$L.detail.cms.p99]} < 10" \
    "ratio $r, p99 ${R[$L.detail.cms.p99]} ms (bare p99 $(fmt "${R[$L.detail.bare.p99]:-}") ms)"
else echo "  n/a   item detail: no measurement"; fi
r=$(ratio "${R[$L.list.cms.rps]:-}" "${R[$L.list.bare.rps]:-}")
if have "$r"; then check "list first page >= 0.25x bare" "$r >= 0.25" "ratio $r"; else echo "  n/a   list: no measurement"; fi
if [ "$S" != "$L" ]; then
  for ep in list search; do
    for q in p50 p99; do
      a=${R[$S.$ep.cms.$q]:-} b=${R[$L.$ep.cms.$q]:-}
      g=$(ratio "$b" "$a")
      if have "$g"; then check "$(name "$ep") $q grows <= 2x from $S to $L" "$g <= 2" "$a -> $b ms (x$g)"; fi
    done
  done
fi
if have "${R[$L.hwm]:-}"; then
  check "server RSS < 100 MiB (peak over the runs)" "${R[$L.hwm]} < 100 * 1024" "$(mib "${R[$L.hwm]}") MiB"
fi
if [ "$UNCACHED" = 1 ]; then
  echo "Same goals on cache misses (not required; the runs above are answered from the response cache):"
  if [ "$S" != "$L" ]; then
    for ep in list search; do
      a=${R[$S.$ep.miss.p50]:-} b=${R[$L.$ep.miss.p50]:-}
      g=$(ratio "$b" "$a")
      if have "$g"; then check "$(name "$ep") p50 on a miss grows <= 2x from $S to $L" "$g <= 2" "$a -> $b ms (x$g)"; fi
    done
  fi
  have "${R[$L.detail.miss.p99]:-}" && check "item detail p99 on a miss < 10 ms" "${R[$L.detail.miss.p99]} < 10" "${R[$L.detail.miss.p99]} ms"
  have "${R[$L.hwm_miss]:-}" && check "server RSS < 100 MiB (peak including the misses)" "${R[$L.hwm_miss]} < 100 * 1024" "$(mib "${R[$L.hwm_miss]}") MiB"
fi
exit 0

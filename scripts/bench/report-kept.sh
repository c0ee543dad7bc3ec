#!/usr/bin/env bash
# Prints the content benchmark's report again from a directory that
# scripts/bench-content.sh kept (KEEP=1), e.g. of a run that was cut short:
# the wrk, mixed-run, seed and profile files it holds. What only the
# running script knew (server memory, first-request times) shows as "-".
#
#   scripts/bench/report-kept.sh /tmp/cms-bench.XXXXXX
set -euo pipefail
TMP=${1:?usage: report-kept.sh DIR}
cd "$(dirname "$0")/../.."
export LC_ALL=C.UTF-8

to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v == "") { print ""; exit }
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) print ""; else printf "%.3f", n * f
  }'
}

declare -A R
ENDPOINTS="detail list search"
DBS="" SIZES="" ROUNDS=1
for f in "$TMP"/wrk-*.r*.txt; do
  [ -e "$f" ] || continue
  key=${f##*/wrk-}; key=${key%.txt}                 # db.n.ep.kind.rR
  IFS=. read -r db n _ _ r <<<"$key"
  grep -qw "$db" <<<"$DBS" || DBS="$DBS $db"
  grep -qw "$n" <<<"$SIZES" || SIZES="$SIZES $n"
  r=${r#r}; [ "$r" -gt "$ROUNDS" ] && ROUNDS=$r
  R[$key.rps]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")
  R[$key.p50]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
  R[$key.p99]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$f")
  sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$f")
  R[$key.err]=$(( ${non2xx:-0} + ${sockerr:-0} ))
done
DBS=$(tr ' ' '\n' <<<"$DBS" | awk 'NF' | sort -r | tr '\n' ' ')          # sqlite first
SIZES=$(tr ' ' '\n' <<<"$SIZES" | awk 'NF' | sort -n | tr '\n' ' ')

median_of() {
  local key=$1 r f
  for f in rps p50 p99; do
    R[$key.$f]=$(for r in $(seq "$ROUNDS"); do echo "${R[$key.r$r.$f]:-}"; done | awk 'NF' | sort -g |
      awk '{v[NR] = $1} END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  done
  R[$key.err]=0
  for r in $(seq "$ROUNDS"); do R[$key.err]=$(( ${R[$key.err]} + ${R[$key.r$r.err]:-0} )); done
}

PROFILES=()
MIXED=0
for db in $DBS; do
  for n in $SIZES; do
    k=$db.$n
    for ep in $ENDPOINTS; do
      for kind in hit barehit miss baremiss; do median_of "$k.$ep.$kind"; done
    done
    if [ -s "$TMP/bare-$k.log" ]; then
      R[$k.detail.bytes]=$(awk '/items\// {print $3; exit}' "$TMP/bare-$k.log")
      R[$k.list.bytes]=$(awk '/columns\// {print $3; exit}' "$TMP/bare-$k.log")
      R[$k.search.bytes]=$(awk '/search/ {print $3; exit}' "$TMP/bare-$k.log")
    fi
    if [ -s "$TMP/seed-$db-$n.out" ]; then
      R[$k.seed]=$(sed -n 's/^SEED_SECONDS=//p' "$TMP/seed-$db-$n.out")
      R[$k.news]=$(sed -n 's/^NEWS_ITEMS=//p' "$TMP/seed-$db-$n.out")
      R[$k.matches]=$(sed -n 's/^MATCHES_[0-9]*=//p' "$TMP/seed-$db-$n.out" | tr '\n' ' ')
    fi
    if [ -s "$TMP/mixed-$k.out" ]; then
      MIXED=30
      while IFS='=' read -r kv v; do R[$k.mixed.$kv]=$v; done <"$TMP/mixed-$k.out"
    fi
    [ -s "$TMP/miss-$k.top" ] && PROFILES+=("$k")
  done
done
DURATION=$(awk '/Running/ {gsub(/s/, "", $2); print $2; exit}' "$(ls "$TMP"/wrk-*.r1.txt | head -1)")
THREADS=2 CONNECTIONS=64 SEARCH_Q=${SEARCH_Q:-提取} MIXED_WRITES=${MIXED_WRITES:-0.05}
LOAD_START="(not kept)" LOAD_END="(not kept)"
. scripts/bench/report.sh

# The content benchmark's report, sourced by scripts/bench-content.sh once
# every run is done: it reads the results in R and prints the tables and
# the goals of issue 13, each with the figures it was judged on.

fmt() { [ -n "${1:-}" ] && printf '%s' "$1" || printf -- '-'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
mib() { awk -v k="${1:-}" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }
name() { case $1 in detail) echo "item detail" ;; list) echo "list, 1st page" ;; search) echo "search" ;; esac; }
have() { [ -n "${1:-}" ] && [ "$1" != "-" ]; }

SMALL=$(awk '{print $1}' <<<"$SIZES")
LARGE=$(awk '{print $NF}' <<<"$SIZES")
MID=$LARGE
grep -qw 100000 <<<"$SIZES" && MID=100000

echo
echo "Content API benchmark: $DBS; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over loopback, median of $ROUNDS rounds alternating cms and bare;"
echo "$(nproc) CPUs shared by wrk, the servers and whatever else runs: load average $LOAD_START at the start, $LOAD_END at the end"
echo "search q=$SEARCH_Q; ratio = cms rps / bare net/http rps (same bytes and headers, rounds alternating); latencies in ms"
echo "hit: cache on, every request answered from it; miss: cache off (CMS_CACHE_ENTRIES=0), item detail over random ids"
echo
printf '%-8s %-8s %-15s %6s | %7s %7s %5s %6s %6s %6s | %7s %7s %5s %6s %6s | %7s %4s\n' \
  db items endpoint bytes "hit" bare ratio p50 p99 "bare99" "miss" bare ratio p50 p99 "1st req" err
for db in $DBS; do
  for n in $SIZES; do
    k=$db.$n
    for ep in $ENDPOINTS; do
      printf '%-8s %-8s %-15s %6s | %7s %7s %5s %6s %6s %6s | %7s %7s %5s %6s %6s | %7s %4s\n' "$db" "$n" "$(name "$ep")" \
        "$(fmt "${R[$k.$ep.bytes]:-}")" \
        "$(fmt "${R[$k.$ep.hit.rps]:-}")" "$(fmt "${R[$k.$ep.barehit.rps]:-}")" "$(ratio "${R[$k.$ep.hit.rps]:-}" "${R[$k.$ep.barehit.rps]:-}")" \
        "$(fmt "${R[$k.$ep.hit.p50]:-}")" "$(fmt "${R[$k.$ep.hit.p99]:-}")" "$(fmt "${R[$k.$ep.barehit.p99]:-}")" \
        "$(fmt "${R[$k.$ep.miss.rps]:-}")" "$(fmt "${R[$k.$ep.baremiss.rps]:-}")" "$(ratio "${R[$k.$ep.miss.rps]:-}" "${R[$k.$ep.baremiss.rps]:-}")" \
        "$(fmt "${R[$k.$ep.miss.p50]:-}")" "$(fmt "${R[$k.$ep.miss.p99]:-}")" \
        "$(fmt "${R[$k.$ep.cold]:-}")" \
        "$(( ${R[$k.$ep.hit.err]:-0} + ${R[$k.$ep.barehit.err]:-0} + ${R[$k.$ep.miss.err]:-0} + ${R[$k.$ep.baremiss.err]:-0} ))"
    done
  done
done

if [ "$MIXED" -gt 0 ]; then
  echo
  echo "Mixed run (scripts/bench/load, ${MIXED}s, $CONNECTIONS connections): item reads over all items (Zipf s=1.1, newest most read),"
  echo "$MIXED_WRITES of the requests workflow steps publishing new revisions (new revision, submit, approve, 2 signatures, clear, publish)"
  printf '%-8s %-8s %8s %6s %7s %7s %7s %6s %5s | %6s %6s %8s %8s %5s | %8s %8s %7s\n' db items "reads/s" "hit %" p50 p99 max ">200ms" err \
    steps pubs "wf p99" "wf max" err "RSS MiB" "peak" budget
  for db in $DBS; do
    for n in $SIZES; do
      k=$db.$n
      printf '%-8s %-8s %8s %6s %7s %7s %7s %6s %5s | %6s %6s %8s %8s %5s | %8s %8s %7s\n' "$db" "$n" \
        "$(fmt "${R[$k.mixed.READ_RPS]:-}")" "$(awk -v h="${R[$k.mixed.HIT_RATIO]:-}" 'BEGIN { if (h == "") print "-"; else printf "%.1f", h * 100 }')" \
        "$(fmt "${R[$k.mixed.READ_P50_MS]:-}")" "$(fmt "${R[$k.mixed.READ_P99_MS]:-}")" "$(fmt "${R[$k.mixed.READ_MAX_MS]:-}")" \
        "$(fmt "${R[$k.mixed.READS_OVER_200MS]:-}")" "$(fmt "${R[$k.mixed.READ_ERRORS]:-}")" \
        "$(fmt "${R[$k.mixed.WORKFLOW_REQUESTS]:-}")" "$(fmt "${R[$k.mixed.PUBLISHED]:-}")" \
        "$(fmt "${R[$k.mixed.WORKFLOW_P99_MS]:-}")" "$(fmt "${R[$k.mixed.WORKFLOW_MAX_MS]:-}")" "$(fmt "${R[$k.mixed.WORKFLOW_ERRORS]:-}")" \
        "$(mib "${R[$k.rss_mixed]:-}")" "$(mib "${R[$k.hwm_mixed]:-}")" "$(mib "$(awk -v b="${R[$k.cache_budget]:-}" 'BEGIN { if (b != "") print b / 1024 }')")"
    done
  done
fi

echo
echo "Server memory (MiB) and data:"
printf '%-8s %-8s %6s %11s %12s %15s %7s %8s %8s %9s %9s  %s\n' db items idle "RSS (hits)" "peak (hits)" "peak (misses)" "seed s" "db size" "start s" "log w/e" cancelled "news items; search matches"
for db in $DBS; do
  for n in $SIZES; do
    k=$db.$n
    printf '%-8s %-8s %6s %11s %12s %15s %7s %8s %8s %9s %9s  %s\n' "$db" "$n" "$(mib "${R[$k.rss_idle]:-}")" "$(mib "${R[$k.rss]:-}")" \
      "$(mib "${R[$k.hwm]:-}")" "$(mib "${R[$k.hwm_miss]:-}")" "$(fmt "${R[$k.seed]:-}")" "$(fmt "${R[$k.dbsize]:-}")" "$(fmt "${R[$k.settle_first]:-}")/$(fmt "${R[$k.settle]:-}")" \
      "${R[$k.logwarn]:-0}" "${R[$k.logcancel]:-0}" "${R[$k.news]:-} news; ${R[$k.matches]:-}"
  done
done
echo "(start s: how long the server's start-up work kept it busy before the runs, at the first start (the integrity patrol over"
echo " every row) / at the last (a complete patrol had just finished: deferred);"
echo " log w/e: warnings and errors in the server log; cancelled: requests logged as failed (500, \"context canceled\") when wrk hung up)"

for k in "${PROFILES[@]}"; do
  if [ -s "$TMP/miss-$k.top" ]; then
    echo
    echo "CPU profile of the server during the item-detail miss run ($k), top ten by flat time:"
    sed -n '/flat%/,$p' "$TMP/miss-$k.top"
    echo "… and by cumulative time:"
    sed -n '/flat%/,$p' "$TMP/miss-$k.cum"
  fi
done

check() { # check LABEL CONDITION-EXPRESSION (awk) DETAIL
  local verdict
  verdict=$(awk "BEGIN { print (($2) ? \"PASS\" : \"MISS\") }" 2>/dev/null || echo "n/a")
  printf '  %-4s  %-62s %s\n' "$verdict" "$1" "$3"
}

ratio_goal() { # ratio_goal KEY EP KIND MIN
  local r
  r=$(ratio "${R[$1.$2.$3.rps]:-}" "${R[$1.$2.bare$3.rps]:-}")
  if have "$r"; then check "$(name "$2") $3 >= ${4}x the ceiling" "$r >= $4" "ratio $r"; fi
}

for db in $DBS; do
  k=$db.$MID
  echo
  echo "Goals, $db (ratios at $MID items, $CONNECTIONS connections):"
  if [ "$db" = postgres ]; then
    ratio_goal "$k" detail miss 0.15
  else
    ratio_goal "$k" detail miss 0.35
    ratio_goal "$k" list miss 0.25
    ratio_goal "$k" search miss 0.05
  fi
  ratio_goal "$k" detail hit 0.7
  ratio_goal "$k" list hit 0.6
  ratio_goal "$k" search hit 0.6
  for ep in $ENDPOINTS; do
    a=${R[$k.$ep.hit.p99]:-} b=${R[$k.$ep.barehit.p99]:-}
    g=$(ratio "$a" "$b")
    if have "$g"; then check "$(name "$ep") hit p99 <= 1.5x the ceiling's p99" "$g <= 1.5" "$a vs $b ms (x$g)"; fi
  done
  for big in $SIZES; do
    [ "$big" = "$SMALL" ] && continue
    lim=1.5
    [ "$big" -ge 1000000 ] && lim=2
    for ep in list search; do
      for kind in hit miss; do
        a=${R[$db.$SMALL.$ep.$kind.p50]:-} b=${R[$db.$big.$ep.$kind.p50]:-}
        g=$(ratio "$b" "$a")
        if have "$g"; then check "$(name "$ep") $kind p50 grows <= ${lim}x from $SMALL to $big" "$g <= $lim" "$a -> $b ms (x$g)"; fi
      done
    done
  done
  k=$db.$LARGE
  if have "${R[$k.hwm_mixed]:-}" && have "${R[$k.cache_budget]:-}"; then
    check "server peak RSS <= cache budget + 64 MiB at $LARGE items" "${R[$k.hwm_mixed]} * 1024 <= ${R[$k.cache_budget]} + 64 * 1048576" \
      "$(mib "${R[$k.hwm_mixed]}") MiB, budget $(mib "$((${R[$k.cache_budget]} / 1024))") MiB"
  fi
  for n in $SIZES; do
    k=$db.$n
    if have "${R[$k.mixed.READ_P99_MS]:-}"; then
      check "mixed run at $n items: read p99 <= 20 ms, none over 200 ms" "${R[$k.mixed.READ_P99_MS]} <= 20 && ${R[$k.mixed.READ_MAX_MS]} <= 200" \
        "p99 ${R[$k.mixed.READ_P99_MS]} ms, max ${R[$k.mixed.READ_MAX_MS]} ms, hit ratio ${R[$k.mixed.HIT_RATIO]:-?}, ${R[$k.mixed.PUBLISHED]:-0} published"
    fi
  done
done
exit 0

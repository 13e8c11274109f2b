# bench/scenarios/soak.sh (`./gw bench --soak`; not in the default run, it takes
# GW_BENCH_SOAK_SECONDS = 5 minutes): mixed load (bench/lua/mixed.lua: POST /status, GET /files,
# GET /retrieve of 1 MiB, POST /upload of 64 KiB new bytes, in turn) on 16 connections, and the
# sum of the FastCGI workers' VmRSS (and RssAnon) at minute 1 and at the end (minute 5). Target:
# flat, read as at most 10 % growth from minute 1 to minute 5.
# shellcheck shell=bash

scenario_soak() {
  local total=$BENCH_SOAK_SECONDS cid wrk_pid rss1 anon1 rss5 anon5 _
  (( total >= 120 )) || bench_log "NOTE: GW_BENCH_SOAK_SECONDS=$total: 'minute 1 vs the end' means less than 2 minutes"
  head -c 1048576 /dev/urandom >"$BENCH_TMP/soak.bin"
  read -r _ _ _ cid <<<"$(bench_upload "$BENCH_TMP/soak.bin" soak-retrieve.bin)"
  GW_BENCH_CID=$cid wrk -t2 -c16 -d"${total}s" --timeout 10s -s bench/lua/mixed.lua "$BENCH_BASE/" >"$BENCH_TMP/soak.out" 2>&1 &
  wrk_pid=$!
  sleep 60
  read -r rss1 anon1 <<<"$(bench_worker_rss)"
  bench_log "soak: workers' VmRSS at minute 1: $(( rss1 / 1024 )) MiB (RssAnon $(( anon1 / 1024 )) MiB)"
  sleep $(( total > 62 ? total - 62 : 1 ))
  read -r rss5 anon5 <<<"$(bench_worker_rss)"
  wait "$wrk_pid" || bench_die "wrk failed in the soak: $(cat "$BENCH_TMP/soak.out")"
  bench_log "soak: workers' VmRSS at the end: $(( rss5 / 1024 )) MiB (RssAnon $(( anon5 / 1024 )) MiB)"
  local rps errs
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$BENCH_TMP/soak.out")
  errs=$(awk '/Non-2xx or 3xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$BENCH_TMP/soak.out")
  bench_record scenario=soak case="workers' VmRSS, end vs minute 1" metric=rss unit=MiB \
    values="$(awk -v k="$rss5" 'BEGIN { print k / 1024 }')" ceiling_name="at minute 1" \
    ceiling_values="$(awk -v k="$rss1" 'BEGIN { print k / 1024 }')" \
    target_on=ratio target_op="<=" target=1.1 target_text="flat (<= 1.1x)" errors="$errs" \
    note="mixed load at ${rps:-?} req/s for ${total} s"
  bench_record scenario=soak case="workers' RssAnon, end vs minute 1" metric=rss unit=MiB \
    values="$(awk -v k="$anon5" 'BEGIN { print k / 1024 }')" ceiling_name="at minute 1" \
    ceiling_values="$(awk -v k="$anon1" 'BEGIN { print k / 1024 }')" \
    target_on=ratio target_op="<=" target=1.1 target_text="flat (<= 1.1x)"
}

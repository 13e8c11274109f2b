# bench/scenarios/retrieve.sh: GET /retrieve/<cid> of 1 KiB, 1 MiB and 100 MiB beside nginx
# serving the same bytes as a static file (/_bench/static/, same server block, sendfile). wrk with
# the bench user's key, 16 connections (4 for 100 MiB: GW_BENCH_RETRIEVE_BIG_CONNECTIONS), each run
# in ABBA order (static, gateway, gateway, static; half the time each) so that drift hits both.
# shellcheck shell=bash

scenario_retrieve() {
  local size label bytes c cid half run rps mbs bad err s1 s2 g1 g2 _
  half=$(( BENCH_SECONDS / 2 > 0 ? BENCH_SECONDS / 2 : 1 ))
  for size in 1024:1KiB 1048576:1MiB 104857600:100MiB; do
    bytes=${size%%:*} label=${size#*:}
    c=16; (( bytes > 10485760 )) && c=${GW_BENCH_RETRIEVE_BIG_CONNECTIONS:-4}
    head -c "$bytes" /dev/urandom >"$BENCH_WORK/static/$label.bin"
    read -r _ _ _ cid <<<"$(bench_upload "$BENCH_WORK/static/$label.bin" "retrieve-$label.bin")"
    local -a s_rps=() g_rps=() s_mbs=() g_mbs=()
    local errs=0
    one() {  # one <url> -> appends to the named arrays through the caller's variables
      read -r rps _ _ bad err mbs <<<"$(bench_wrk "$c" "$half" "$1" -s bench/lua/request.lua)"
      errs=$(( errs + bad + err ))
    }
    for run in $(seq "$BENCH_RUNS"); do
      one "$BENCH_BASE/_bench/static/$label.bin"; s1="$rps $mbs"
      one "$BENCH_BASE/retrieve/$cid"; g1="$rps $mbs"
      one "$BENCH_BASE/retrieve/$cid"; g2="$rps $mbs"
      one "$BENCH_BASE/_bench/static/$label.bin"; s2="$rps $mbs"
      s_rps+=("$(awk -v a="${s1% *}" -v b="${s2% *}" 'BEGIN { print (a + b) / 2 }')")
      g_rps+=("$(awk -v a="${g1% *}" -v b="${g2% *}" 'BEGIN { print (a + b) / 2 }')")
      s_mbs+=("$(awk -v a="${s1#* }" -v b="${s2#* }" 'BEGIN { print (a + b) / 2 }')")
      g_mbs+=("$(awk -v a="${g1#* }" -v b="${g2#* }" 'BEGIN { print (a + b) / 2 }')")
      bench_log "$label c$c run $run: static ${s_rps[-1]} req/s ${s_mbs[-1]} MB/s, retrieve ${g_rps[-1]} req/s ${g_mbs[-1]} MB/s"
    done
    local -a target=()
    case $label in
      1KiB) target=(target_on=ratio target_op=">=" target=0.3 target_text=">= 30 % of static req/s")
        bench_record scenario=retrieve case="GET /retrieve $label, c$c" metric=rps unit=req/s values="${g_rps[*]}" \
          ceiling_name="nginx static $label" ceiling_values="${s_rps[*]}" errors="$errs" "${target[@]}" ;;
      100MiB) target=(target_on=ratio target_op=">=" target=0.8 target_text=">= 80 % of static")
        bench_record scenario=retrieve case="GET /retrieve $label, c$c" metric=throughput unit=MB/s values="${g_mbs[*]}" \
          ceiling_name="nginx static $label" ceiling_values="${s_mbs[*]}" errors="$errs" "${target[@]}" ;;
      *) bench_record scenario=retrieve case="GET /retrieve $label, c$c" metric=throughput unit=MB/s values="${g_mbs[*]}" \
          ceiling_name="nginx static $label" ceiling_values="${s_mbs[*]}" errors="$errs" ;;
    esac
  done
}

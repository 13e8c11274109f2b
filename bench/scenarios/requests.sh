# bench/scenarios/requests.sh: the request rate. POST /status and GET /files (20 rows) beside
# nginx's `return 200` in the same TLS server block (/_bench/return200), at 1, 16, 64 and 256
# keep-alive connections (GW_BENCH_CONNECTIONS), wrk with bench/lua/request.lua. A second
# ceiling, for information: the same nginx in front of bench/fcgi_event_hello.cpp
# (/_bench/fcgi_hello), a responder that does nothing over the app's transport (event loop around
# libfcgi, kept upstream connections), one loop per app worker process: what the FastCGI hop
# itself allows. Per run the four cases go back to back in a rotating order; each is the
# median of the runs.
# shellcheck shell=bash

scenario_requests() {
  local c run k order name rps p50 p99 bad err _
  local -a conns
  read -r -a conns <<<"${GW_BENCH_CONNECTIONS:-1 16 64 256}"
  local -a cases=(ceiling hello status files)
  local hello=$BENCH_TOOLS/bench/fcgi_event_hello
  [[ -x $hello ]] || bench_die "no $hello (built by ./gw bench with -DGW_BENCH=ON)"
  "$hello" "$BENCH_WORK/hello.sock" "${GW_WORKERS:-$(nproc)}" 1 >"$BENCH_TMP/hello.out" 2>&1 &
  echo $! >"$BENCH_TMP/fcgi_hello.pid"
  local t=50
  while [[ ! -S $BENCH_WORK/hello.sock ]] && (( t-- > 0 )); do sleep 0.1; done
  for c in "${conns[@]}"; do
    local -A v=()
    for run in $(seq "$BENCH_RUNS"); do
      order=$(( (run - 1) % 4 ))
      for k in 0 1 2 3; do
        name=${cases[(order + k) % 4]}
        case $name in
          ceiling) read -r rps p50 p99 bad err _ <<<"$(GW_BENCH_METHOD=POST bench_wrk "$c" "$BENCH_SECONDS" "$BENCH_BASE/_bench/return200" -s bench/lua/request.lua)" ;;
          hello) read -r rps p50 p99 bad err _ <<<"$(GW_BENCH_METHOD=POST bench_wrk "$c" "$BENCH_SECONDS" "$BENCH_BASE/_bench/fcgi_hello" -s bench/lua/request.lua)" ;;
          status) read -r rps p50 p99 bad err _ <<<"$(GW_BENCH_METHOD=POST bench_wrk "$c" "$BENCH_SECONDS" "$BENCH_BASE/status" -s bench/lua/request.lua)" ;;
          files) read -r rps p50 p99 bad err _ <<<"$(GW_BENCH_METHOD=GET bench_wrk "$c" "$BENCH_SECONDS" "$BENCH_BASE/files?page=1&limit=20" -s bench/lua/request.lua)" ;;
        esac
        v[$name.rps]+=" $rps" v[$name.p50]+=" $p50" v[$name.p99]+=" $p99" v[$name.err]=$(( ${v[$name.err]:-0} + bad + err ))
      done
      bench_log "c$c run $run: req/s return200 ${v[ceiling.rps]##* }, fcgi_hello ${v[hello.rps]##* }, /status ${v[status.rps]##* }, /files ${v[files.rps]##* }"
    done
    local status_target=() files_target=() p99_target=() err_target=()
    if (( c == 64 )); then
      status_target=(target_on=ratio target_op=">=" target=0.3 target_text=">= 30 % of nginx at 64")
      files_target=(target_on=ratio target_op=">=" target=0.2 target_text=">= 20 % of nginx at 64")
      p99_target=(target_on=value target_op="<=" target=10 target_text="p99 <= 10 ms at 64")
    fi
    (( c == 256 )) && err_target=(target_on=value target_op="<=" target=0 target_text="no errors at 256")
    bench_record scenario=requests case="nginx return 200, c$c" metric=rps unit=req/s values="${v[ceiling.rps]}" errors="${v[ceiling.err]}"
    bench_record scenario=requests case="fcgi_event_hello (FastCGI ceiling), c$c" metric=rps unit=req/s values="${v[hello.rps]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.rps]}" errors="${v[hello.err]}"
    bench_record scenario=requests case="POST /status, c$c" metric=rps unit=req/s values="${v[status.rps]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.rps]}" errors="${v[status.err]}" "${status_target[@]}"
    bench_record scenario=requests case="POST /status, c$c" metric=p50 unit=ms values="${v[status.p50]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.p50]}"
    bench_record scenario=requests case="POST /status, c$c" metric=p99 unit=ms values="${v[status.p99]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.p99]}" "${p99_target[@]}"
    if (( c == 256 )); then
      bench_record scenario=requests case="POST /status, c$c" metric=errors unit="non-2xx + socket errors" \
        values="${v[status.err]}" "${err_target[@]}"
    fi
    bench_record scenario=requests case="GET /files (20 rows), c$c" metric=rps unit=req/s values="${v[files.rps]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.rps]}" errors="${v[files.err]}" "${files_target[@]}"
    bench_record scenario=requests case="GET /files (20 rows), c$c" metric=p50 unit=ms values="${v[files.p50]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.p50]}"
    bench_record scenario=requests case="GET /files (20 rows), c$c" metric=p99 unit=ms values="${v[files.p99]}" \
      ceiling_name="nginx return 200, c$c" ceiling_values="${v[ceiling.p99]}"
  done
  kill "$(cat "$BENCH_TMP/fcgi_hello.pid")" 2>/dev/null || true
  rm -f "$BENCH_TMP/fcgi_hello.pid"
}

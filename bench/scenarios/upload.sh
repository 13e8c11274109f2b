# bench/scenarios/upload.sh: POST /upload.
#   1 MiB at 16 connections: uploads/s with new bytes each request (bench/lua/upload.lua), beside
#     nginx receiving the same bodies into files (PUT /_bench/receive/, /upload's own body
#     settings; a rotating set of 64 names per wrk thread). min(GW_BENCH_SECONDS, 5) s per run:
#     every upload is a new 1 MiB file in the bench stack's store (removed with it).
#   100 MiB over HTTP/1.1 and HTTP/2 (curl): time to the answer (201, or 202 for a task) and time
#     until stored (a task's 202 plus the job's own latency from the server's timestamps), beside
#     nginx receiving the same body into a file over the same protocol (PUT, a new name each time,
#     the previous ones removed before the clock starts). New bytes each run (32 random bytes at
#     offset 0, outside the timing); `sync` before each timed request, so that none pays for the
#     previous one's writeback. Order per run: put, upload, then upload, put on the next.
# shellcheck shell=bash

scenario_upload() {
  local c=16 secs rps bad err run _ file proto code put_code t stored out step tag=bench$$x$RANDOM
  secs=$(( BENCH_SECONDS < 5 ? BENCH_SECONDS : 5 ))
  local -a up=() put=()
  local errs=0
  for run in $(seq "$BENCH_RUNS"); do
    read -r rps _ _ bad err _ <<<"$(GW_BENCH_METHOD=PUT GW_BENCH_PATH=/_bench/receive/ bench_wrk "$c" "$secs" "$BENCH_BASE/_bench/receive/" -s bench/lua/upload.lua)"
    put+=("$rps")
    read -r rps _ _ bad err _ <<<"$(GW_BENCH_METHOD=POST GW_BENCH_PATH='/upload?filename=bench-1m.bin' bench_wrk "$c" "$secs" "$BENCH_BASE/upload" -s bench/lua/upload.lua)"
    up+=("$rps"); errs=$(( errs + bad + err ))
    bench_log "1 MiB c$c run $run: nginx PUT ${put[-1]}/s, POST /upload ${up[-1]}/s"
    rm -f "$BENCH_WORK"/receive/*
  done
  bench_record scenario=upload case="POST /upload 1 MiB, c$c" metric=rate unit=uploads/s values="${up[*]}" \
    ceiling_name="nginx PUT 1 MiB into a file, c$c" ceiling_values="${put[*]}" errors="$errs" \
    target_on=value target_op=">=" target=300 target_text=">= 300/s"

  file=$BENCH_TMP/big.bin
  head -c 104857600 /dev/urandom >"$file"
  local -A answer=() stored_t=() floor=()
  bench_upload "$file" warmup.bin >/dev/null   # the first upload of a size warms the paths
  for run in $(seq "$BENCH_RUNS"); do
    for proto in http1.1 http2; do
      local put_first=$(( run % 2 ))
      for step in 0 1; do
        if (( step == (1 - put_first) )); then
          rm -f "$BENCH_WORK"/receive/*
          sync
          out=$(bench_curl -o /dev/null -w '%{http_code} %{time_total} %{http_version}' "--$proto" -X PUT \
            -H "X-Request-Id: $tag-put-$proto-$run" \
            -H 'Content-Type: application/octet-stream' --data-binary @"$file" "$BENCH_BASE/_bench/receive/big-$run-$proto.bin")
          read -r put_code t _ <<<"$out"
          [[ $put_code == 201 || $put_code == 204 ]] || bench_die "PUT /_bench/receive answered $put_code"
          floor[$proto]+=" $t"
        else
          head -c 32 /dev/urandom | dd of="$file" conv=notrunc status=none
          sync
          read -r code t stored _ <<<"$(bench_upload "$file" "big-$run-$proto.bin" "--$proto" -H "X-Request-Id: $tag-up-$proto-$run")"
          answer[$proto]+=" $t" stored_t[$proto]+=" $stored"
        fi
      done
      bench_log "100 MiB $proto run $run: nginx PUT ${floor[$proto]##* } s, /upload answer ($code) ${answer[$proto]##* } s, stored ${stored_t[$proto]##* } s"
    done
  done
  rm -f "$BENCH_WORK"/receive/*
  for proto in http1.1 http2; do
    bench_record scenario=upload case="POST /upload 100 MiB, $proto" metric="time to 201/202" unit=s \
      values="${answer[$proto]}" ceiling_name="nginx PUT 100 MiB into a file, $proto" ceiling_values="${floor[$proto]}" \
      target_on=ratio target_op="<=" target=1.5 target_text="<= 1.5x nginx receiving"
    bench_record scenario=upload case="POST /upload 100 MiB, $proto" metric="time to stored" unit=s \
      values="${stored_t[$proto]}" ceiling_name="nginx PUT 100 MiB into a file, $proto" ceiling_values="${floor[$proto]}"
  done
  # Where the time to the answer goes, from the gateway's JSON access log (our X-Request-Id):
  # upstream_response_time is the app (FastCGI: for a task the spool's fsync and the job row;
  # else hashing, the store, the database); request_time minus it is nginx receiving the body.
  # The PUT's request_time is nginx receiving alone, the same clock.
  if [[ -r ${BENCH_ACCESS_LOG:-} ]]; then
    sleep 1.5   # the access log is buffered, flush=1s
    phase() {  # phase <request id prefix> <jq expression over request_time (r) and upstream time (u)>
      grep -F "\"request_id\":\"$1" "$BENCH_ACCESS_LOG" \
        | jq -r "(.request_time) as \$r | ((.upstream_response_time | tonumber? ) // 0) as \$u | $2" | tr '\n' ' '
    }
    # shellcheck disable=SC2016  # jq expressions, not shell ones
    for proto in http1.1 http2; do
      bench_record scenario=upload case="POST /upload 100 MiB, $proto: nginx receiving (access log)" metric="request_time - upstream" unit=s \
        values="$(phase "$tag-up-$proto-" '$r - $u')" ceiling_name="nginx PUT, its request_time" ceiling_values="$(phase "$tag-put-$proto-" '$r')"
      bench_record scenario=upload case="POST /upload 100 MiB, $proto: the app (access log)" metric="upstream_response_time" unit=s \
        values="$(phase "$tag-up-$proto-" '$u')"
    done
  fi
  bench_record scenario=upload case="POST /upload 100 MiB, HTTP/2 vs HTTP/1.1" metric="time to 201/202" unit=s \
    values="${answer[http2]}" ceiling_name="the same over HTTP/1.1" ceiling_values="${answer[http1.1]}" \
    target_on=ratio target_op="<=" target=1.2 target_text="HTTP/2 <= 1.2x HTTP/1.1"
  bench_record scenario=upload case="nginx PUT 100 MiB, HTTP/2 vs HTTP/1.1" metric=time unit=s \
    values="${floor[http2]}" ceiling_name="the same over HTTP/1.1" ceiling_values="${floor[http1.1]}"
}

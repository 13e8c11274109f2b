# bench/scenarios/costprof.sh: where POST /status, GET /files (20 rows; 64 connections), a GET
# /retrieve of 1 KiB and a POST /upload of 1 MiB (16 connections) spend their time
# (bench/profiles/status.md, files.md, content.md). Not one of ./gw bench's default scenarios: run it
# with `./gw bench --only=costprof` (GW_BENCH_SECONDS per load, default 10; GW_PROFILE_PERF=1
# also records perf call graphs into bench/results/ as perf-*.data).
# Per load, while wrk runs: the FastCGI workers' CPU (perf stat task-clock), PostgreSQL's CPU
# (utime + stime of its processes from /proc) and its transactions (pg_stat_database
# xact_commit + xact_rollback), each divided by the requests wrk completed. Then strace -c -f of
# the workers under the same load (slows them: counts, not times, are the point).
# shellcheck shell=bash

prof_pg_pids() {  # the postmaster and its children
  local pm
  pm=$(head -n1 "$(dirname "$BENCH_WORK")"/*/postmaster.pid 2>/dev/null | head -n1)
  [[ -n $pm ]] || pm=$(pgrep -f "postgres -D $(dirname "$BENCH_WORK")" | head -n1)
  echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
}
prof_cpu_ticks() {  # prof_cpu_ticks <pid>...: sum of utime + stime (clock ticks)
  local p sum=0 f
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] || continue
    read -r -a f <<<"$(sed 's/.*) //' "/proc/$p/stat")"
    sum=$(( sum + f[11] + f[12] ))
  done
  echo "$sum"
}
prof_xacts() { psql -Atq "$BENCH_SUPER_DSN" -c "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database"; }
prof_wal() { psql -Atq "$BENCH_SUPER_DSN" -c "SELECT wal_records || ' ' || wal_sync FROM pg_stat_wal"; }

prof_load() {  # prof_load <label> <c> <url> [wrk args]: one measured load
  local label=$1 c=$2 url=$3 secs=${GW_BENCH_SECONDS:-10} workers pg t0 t1 x0 x1 w0 w1 wr0 ws0 wr1 ws1 out rps n tc
  shift 3
  workers=$(cat "$BENCH_RUN_DIR"/worker-*.pid | tr -dc '0-9\n' | paste -sd, -)
  read -r -a pg <<<"$(prof_pg_pids)"
  x0=$(prof_xacts); w0=$(prof_wal); t0=$(prof_cpu_ticks "${pg[@]}")
  perf stat -e task-clock -p "$workers" -x, -o "$BENCH_TMP/perfstat.txt" -- sleep "$secs" &
  local perf_pid=$!
  out=$(wrk -t2 -c"$c" -d"${secs}s" --timeout 10s "$@" "$url" 2>&1)
  wait "$perf_pid" || true
  t1=$(prof_cpu_ticks "${pg[@]}"); x1=$(prof_xacts); w1=$(prof_wal)
  n=$(awk '/ requests in / { print $1 }' <<<"$out")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  tc=$(awk -F, '/task-clock/ { print $1 }' "$BENCH_TMP/perfstat.txt")   # ms
  read -r wr0 ws0 <<<"$w0"; read -r wr1 ws1 <<<"$w1"
  bench_log "$label c$c: $rps req/s ($n in ${secs}s); workers $(awk -v t="$tc" -v n="$n" 'BEGIN { printf "%.0f", t * 1000 / n }') us CPU/req;" \
    "PostgreSQL $(awk -v d=$(( t1 - t0 )) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.0f", d / hz * 1e6 / n }') us CPU/req," \
    "$(awk -v d=$(( x1 - x0 )) -v n="$n" 'BEGIN { printf "%.2f", d / n }') xacts/req, WAL syncs/req $(awk -v d=$(( ws1 - ws0 )) -v n="$n" 'BEGIN { printf "%.2f", d / n }'), WAL records/req $(awk -v d=$(( wr1 - wr0 )) -v n="$n" 'BEGIN { printf "%.1f", d / n }')"
  grep -E "Non-2xx|Socket errors" <<<"$out" | while read -r l; do bench_log "  $l"; done || true
}

prof_strace() {  # prof_strace <label> <c> <url> [wrk args]
  local label=$1 c=$2 url=$3 pids=() p
  shift 3
  for p in $(cat "$BENCH_RUN_DIR"/worker-*.pid | tr -dc '0-9\n'); do pids+=(-p "$p"); done
  timeout -s INT 6 strace -c -f -o "$BENCH_TMP/strace-$label.txt" "${pids[@]}" &
  local st=$!
  sleep 0.5
  local out; out=$(wrk -t2 -c"$c" -d4s --timeout 10s "$@" "$url" 2>&1)
  wait "$st" 2>/dev/null || true
  local n; n=$(awk '/ requests in / { print $1 }' <<<"$out")
  bench_log "$label strace -c -f of the workers ($n requests under strace):"
  head -n 25 "$BENCH_TMP/strace-$label.txt" | while IFS= read -r l; do bench_log "  $l"; done
}

prof_perf() {  # prof_perf <label> <c> <url> [wrk args]: perf record -g of the workers
  local label=$1 c=$2 url=$3 workers
  shift 3
  workers=$(cat "$BENCH_RUN_DIR"/worker-*.pid | tr -dc '0-9\n' | paste -sd, -)
  mkdir -p bench/results
  perf record -F 999 -g -p "$workers" -o "bench/results/perf-$label.data" -- sleep 5 2>/dev/null &
  local pp=$!
  wrk -t2 -c"$c" -d5s --timeout 10s "$@" "$url" >/dev/null 2>&1
  wait "$pp" || true
}

scenario_costprof() {
  local cid _
  GW_BENCH_METHOD=POST prof_load "nginx return 200" 64 "$BENCH_BASE/_bench/return200" -s bench/lua/request.lua
  GW_BENCH_METHOD=POST prof_load "POST /status" 64 "$BENCH_BASE/status" -s bench/lua/request.lua
  GW_BENCH_METHOD=GET prof_load "GET /files (20 rows)" 64 "$BENCH_BASE/files?page=1&limit=20" -s bench/lua/request.lua
  head -c 1024 /dev/urandom >"$BENCH_WORK/static/1KiB.bin"
  read -r _ _ _ cid <<<"$(bench_upload "$BENCH_WORK/static/1KiB.bin" prof-1KiB.bin)"
  prof_load "nginx static 1KiB" 16 "$BENCH_BASE/_bench/static/1KiB.bin" -s bench/lua/request.lua
  prof_load "GET /retrieve 1KiB" 16 "$BENCH_BASE/retrieve/$cid" -s bench/lua/request.lua
  prof_load "nginx static 1KiB" 16 "$BENCH_BASE/_bench/static/1KiB.bin" -s bench/lua/request.lua
  prof_load "GET /retrieve 1KiB" 16 "$BENCH_BASE/retrieve/$cid" -s bench/lua/request.lua
  prof_strace retrieve 16 "$BENCH_BASE/retrieve/$cid" -s bench/lua/request.lua
  export GW_BENCH_PATH='/upload?filename=prof-1m.bin'
  GW_BENCH_METHOD=PUT GW_BENCH_PATH=/_bench/receive/ prof_load "nginx PUT 1MiB" 16 "$BENCH_BASE/_bench/receive/" -s bench/lua/upload.lua
  rm -f "$BENCH_WORK"/receive/*
  GW_BENCH_METHOD=POST prof_load "POST /upload 1MiB" 16 "$BENCH_BASE/upload" -s bench/lua/upload.lua
  GW_BENCH_METHOD=POST prof_strace upload 16 "$BENCH_BASE/upload" -s bench/lua/upload.lua
  if [[ ${GW_PROFILE_PERF:-0} == 1 ]]; then
    prof_perf retrieve 16 "$BENCH_BASE/retrieve/$cid" -s bench/lua/request.lua
    GW_BENCH_METHOD=POST prof_perf upload 16 "$BENCH_BASE/upload" -s bench/lua/upload.lua
  fi
  unset GW_BENCH_PATH
}

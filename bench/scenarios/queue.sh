# bench/scenarios/queue.sh: the durable job queue (bench/job_queue_throughput.cpp): empty jobs
# claimed and completed per second with 1 and 4 workers, and an idle worker's wake-up latency,
# on the bench stack's PostgreSQL in a throwaway database of its own. No ceiling: information.
# shellcheck shell=bash

scenario_queue() {
  local tool=$BENCH_TOOLS/bench/job_queue_throughput out jobs
  [[ -x $tool ]] || bench_die "no $tool (built by ./gw bench with -DGW_BENCH=ON)"
  jobs=$(( BENCH_QUICK ? 500 : 3000 ))
  local -a one=() four=() wake=()
  for _ in $(seq "$BENCH_RUNS"); do
    out=$(GW_MIGRATIONS_DIR=$BENCH_MIGRATIONS_DIR "$tool" "$BENCH_SUPER_DSN" "$jobs" 2>&1) || bench_die "job_queue_throughput failed: $out"
    one+=("$(sed -n 's/^1 worker(s): \([0-9.]*\).*/\1/p' <<<"$out")")
    four+=("$(sed -n 's/^4 worker(s): \([0-9.]*\).*/\1/p' <<<"$out")")
    wake+=("$(sed -n 's/^wakeup latency.*median \([0-9.]*\).*/\1/p' <<<"$out")")
  done
  bench_record scenario=queue case="empty jobs, 1 worker" metric=rate unit=jobs/s values="${one[*]}"
  bench_record scenario=queue case="empty jobs, 4 workers" metric=rate unit=jobs/s values="${four[*]}" \
    ceiling_name="1 worker" ceiling_values="${one[*]}"
  bench_record scenario=queue case="idle worker wake-up" metric=latency unit=ms values="${wake[*]}"
}

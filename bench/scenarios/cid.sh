# bench/scenarios/cid.sh: CID computation (the UnixFS importer, BM_ImportCidV1) beside OpenSSL's
# SHA-256 alone (BM_Sha256) on 100 MiB in memory: Google Benchmark (bench/cid_bench.cpp, built
# into micro_bench), GW_BENCH_RUNS repetitions. SHA-256 of every byte is the floor of any CID.
# shellcheck shell=bash

scenario_cid() {
  local micro=$BENCH_TOOLS/bench/micro_bench json=$BENCH_TMP/micro.json
  [[ -x $micro ]] || bench_die "no $micro (built by ./gw bench with -DGW_BENCH=ON)"
  "$micro" --benchmark_filter='^BM_(Sha256|ImportCidV1)/104857600$' --benchmark_repetitions="$BENCH_RUNS" \
    --benchmark_format=json >"$json" 2>"$BENCH_TMP/micro.err" || { cat "$BENCH_TMP/micro.err" >&2; bench_die "micro_bench failed"; }
  mbs() { jq -r --arg n "$1" '[.benchmarks[] | select(.run_type == "iteration" and (.name | startswith($n))) | .bytes_per_second / 1e6] | map(tostring) | join(" ")' "$json"; }
  bench_record scenario=cid case="CID v1 of 100 MiB (UnixFS import)" metric=throughput unit=MB/s \
    values="$(mbs BM_ImportCidV1/104857600)" ceiling_name="OpenSSL SHA-256 of 100 MiB" ceiling_values="$(mbs BM_Sha256/104857600)"
}

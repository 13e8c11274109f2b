# Sourced by the bench scripts: builds the benchmark binaries (bench/fcgi_hello, the Google
# Benchmark micro_bench) in their own Release build dir, so that `./gw up`'s build/ stays lean.
# Sets BENCH_BUILD_DIR.
BENCH_BUILD_DIR=${GW_BENCH_BUILD_DIR:-build-bench}
ensure_bench_tools() {
  if [[ ! -x $BENCH_BUILD_DIR/bench/fcgi_hello || ! -x $BENCH_BUILD_DIR/bench/micro_bench ]]; then
    echo "bench: building the benchmark tools in $BENCH_BUILD_DIR (once)" >&2
    cmake -S . -B "$BENCH_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DGW_TESTS=OFF -DGW_BENCH=ON >/dev/null
  fi
  cmake --build "$BENCH_BUILD_DIR" -j "$(nproc)" --target fcgi_hello micro_bench >/dev/null
}

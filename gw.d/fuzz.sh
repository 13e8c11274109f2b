# gw.d/fuzz.sh: `./gw fuzz`: the libFuzzer targets of tests/fuzz, built by clang++ with
# AddressSanitizer and UndefinedBehaviorSanitizer in their own build tree (docs/testing.md).
# shellcheck shell=bash

# clang++ and its runtime (libFuzzer, the sanitizers); the libraries the targets link are in
# APT_PACKAGES already, listed again so that `./gw fuzz` works on its own.
FUZZ_PACKAGES=(clang libclang-rt-14-dev build-essential cmake libssl-dev nlohmann-json3-dev libpoco-dev)
FUZZ_DEFAULT_SECONDS=30
FUZZ_MAX_LEN=4096   # bytes per input: enough for every structure the targets parse

fuzz_usage() { die "usage: ./gw fuzz [--seconds N] [TARGET...]   (targets: $(fuzz_targets | tr '\n' ' '))"; }

# fuzz_targets: the target names, one per tests/fuzz/<name>_fuzz.cpp
fuzz_targets() {
  local f
  for f in "$REPO"/tests/fuzz/*_fuzz.cpp; do
    f=${f##*/}
    echo "${f%_fuzz.cpp}"
  done
}

build_fuzz() {  # build_fuzz <dir>: configure (clang++, GW_FUZZ=ON) and build the fuzz targets only
  local dir=$1
  say "building the fuzz targets in $dir (clang++, libFuzzer + ASan + UBSan)"
  cmake -S "$REPO" -B "$dir" -DGW_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    </dev/null >/dev/null || die "cmake configure of the fuzz targets failed (run it again without >/dev/null: see gw.d/fuzz.sh)"
  cmake --build "$dir" -j "$(nproc)" </dev/null || die "building the fuzz targets failed"
}

# fuzz_one <binary> <name> <seconds> <work dir>: runs one target over a copy of its seed corpus
# (what it generates stays in the work dir, never in the repo); prints its executions and
# coverage; returns non-zero on a crash, leak, timeout or sanitizer report, naming the reproducer.
fuzz_one() {
  local bin=$1 name=$2 seconds=$3 work=$4 rc=0 stats artifact
  local -a artifacts
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -R "$REPO/tests/fuzz/corpus/$name/." "$work/corpus/"
  # -timeout: one input taking over 10 s is a hang; the outer timeout only guards libFuzzer itself
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout --kill-after=10 "$((seconds + 120))" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$FUZZ_MAX_LEN" -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
    </dev/null >"$work/log" 2>&1 || rc=$?
  stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1 || true)
  mapfile -t artifacts < <(find "$work/artifacts" -type f | sort)
  if (( rc == 0 && ${#artifacts[@]} == 0 )) && [[ -n $stats ]]; then
    say "fuzz $name: ok in ${seconds}s: ${stats//$'\t'/ }"
    return 0
  fi
  show_tail "$work/log" 60
  say "fuzz $name FAILED (exit $rc); log: $work/log"
  for artifact in "${artifacts[@]}"; do
    say "  reproducer: $artifact   (replay: $bin $artifact)"
  done
  (( ${#artifacts[@]} )) || say "  no reproducer was written (see the log)"
  return 1
}

# run_fuzz <seconds> [TARGET...]: builds, then runs each target (default: all) for <seconds>.
# The work dirs are under a temp dir, removed when every target passed (GW_FUZZ_KEEP=1 keeps it)
# and kept when one failed, for its reproducers.
run_fuzz() {
  local seconds=$1 name failed=0 work
  shift
  local -a targets=("$@") known
  mapfile -t known < <(fuzz_targets)
  (( ${#targets[@]} )) || targets=("${known[@]}")
  for name in "${targets[@]}"; do
    [[ " ${known[*]} " == *" $name "* ]] || die "unknown fuzz target: $name (targets: ${known[*]})"
  done
  ensure_packages "${FUZZ_PACKAGES[@]}"
  local build_dir=${GW_FUZZ_BUILD_DIR:-$REPO/build-fuzz}
  build_fuzz "$build_dir"
  work=$(mktemp -d /tmp/ipfsgw-fuzz.XXXXXX)
  say "fuzzing ${#targets[@]} target(s), ${seconds}s each, in $work"
  for name in "${targets[@]}"; do
    fuzz_one "$build_dir/fuzz_$name" "$name" "$seconds" "$work/$name" || failed=$((failed + 1))
  done
  if (( failed )); then
    say "$failed fuzz target(s) failed; reproducers and logs kept in $work"
    return 1
  fi
  if [[ ${GW_FUZZ_KEEP:-0} == 1 ]]; then say "GW_FUZZ_KEEP=1: kept $work"; else rm -rf "$work"; fi
  say "fuzzing passed"
}

cmd_fuzz() {
  local seconds=$FUZZ_DEFAULT_SECONDS
  local -a targets=()
  while (( $# )); do
    case $1 in
      --seconds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || fuzz_usage; seconds=$2; shift 2 ;;
      --seconds=*) seconds=${1#--seconds=}; [[ $seconds =~ ^[1-9][0-9]*$ ]] || fuzz_usage; shift ;;
      -*) fuzz_usage ;;
      *) targets+=("$1"); shift ;;
    esac
  done
  run_fuzz "$seconds" "${targets[@]}" || exit 1
}

# run_fuzz_step: the fuzzing step of `./gw test`: every target for GW_TEST_FUZZ_SECONDS
# (default 30; 0 skips the step, e.g. while iterating on a subset of the tests).
run_fuzz_step() {
  local seconds=${GW_TEST_FUZZ_SECONDS:-30}
  [[ $seconds =~ ^[0-9]+$ ]] || die "GW_TEST_FUZZ_SECONDS must be a number of seconds (0 skips fuzzing)"
  if (( seconds == 0 )); then
    say "fuzzing skipped (GW_TEST_FUZZ_SECONDS=0)"
    return 0
  fi
  run_fuzz "$seconds" || die "fuzzing failed (reproducers above): fix the bug and add the input as a unit test"
}

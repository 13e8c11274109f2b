# gw.d/coverage.sh: `./gw coverage`: the test run of `./gw test` on a gcov build, then gcovr's report.
# shellcheck shell=bash

# The layers the report is about (the tests' own code is left out).
COVERAGE_LAYERS=(domain fcgi persistence)

# write_coverage_report <build dir>: gcovr over the .gcda files the run left (the test binaries'
# and every process of the stacks': the forked workers write theirs on exit, see
# fcgi/process/child_exit.cpp) into <build dir>/coverage: index.html (a page per file, lines and
# branches), summary.txt (line and branch coverage per layer, then every file, least covered first)
# and coverage.json (gcovr's data, for other reports: gcovr --add-tracefile).
# Branches that only throw, and those the compiler proved unreachable, are not counted: C++
# gives nearly every call an exception edge that no test should have to take.
write_coverage_report() {
  local build_dir=$1 out=$1/coverage layer
  local -a filter=(--filter "^($(IFS='|'; echo "${COVERAGE_LAYERS[*]}"))/")
  rm -rf "$out"
  mkdir -p "$out"
  say "coverage: reading the .gcda files of $build_dir (gcovr)"
  gcovr -r "$REPO" --object-directory "$build_dir" -j "$(nproc)" "${filter[@]}" \
    --exclude-throw-branches --exclude-unreachable-branches --gcov-ignore-parse-errors \
    --json "$out/coverage.json" </dev/null || die "gcovr failed"
  gcovr -r "$REPO" --add-tracefile "$out/coverage.json" --html-details "$out/index.html" \
    --html-title "ipfs-gateway coverage" </dev/null || die "gcovr (HTML) failed"
  {
    echo "ipfs-gateway coverage ($(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ))"
    echo "throw-only and unreachable branches not counted"
    echo
    for layer in "${COVERAGE_LAYERS[@]}" ALL; do
      local -a layer_filter=("${filter[@]}")
      [[ $layer == ALL ]] || layer_filter=(--filter "^$layer/")
      printf '%s\n' "== $layer"
      gcovr -r "$REPO" --add-tracefile "$out/coverage.json" "${layer_filter[@]}" --print-summary \
        --txt /dev/null </dev/null | sed -n 's/^\(lines\|branches\|functions\): /  \1: /p'
    done
    echo
    echo "== lines per file, least covered first"
    gcovr -r "$REPO" --add-tracefile "$out/coverage.json" --sort-percentage --txt - </dev/null
  } >"$out/summary.txt" || die "gcovr (summary) failed"
  sed -n '1,/^== lines per file/p' "$out/summary.txt" | head -n -1
  say "coverage report: $out/index.html (summary: $out/summary.txt)"
}

cmd_coverage() {
  (( $# == 0 )) || die "usage: ./gw coverage"
  local started=$SECONDS
  ensure_packages
  ensure_packages gcovr   # only this command needs it
  run_test_suites coverage
  write_coverage_report "$TEST_BUILD_DIR"
  say "coverage took $(( SECONDS - started ))s"
  (( TEST_RC == 0 )) || say "some tests FAILED (above): the report covers the run as it went"
  exit "$TEST_RC"
}

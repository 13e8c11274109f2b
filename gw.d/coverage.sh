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
        --txt - </dev/null | sed -n 's/^\(lines\|branches\|functions\): /  \1: /p'
    done
    echo
    coverage_thin_spots "$out/coverage.json"
    echo
    echo "== every file"
    gcovr -r "$REPO" --add-tracefile "$out/coverage.json" --txt - </dev/null
  } >"$out/summary.txt" || die "gcovr (summary) failed"
  sed -n '1,/^== every file/p' "$out/summary.txt" | head -n -1
  say "coverage report: $out/index.html (summary: $out/summary.txt)"
}

# coverage_thin_spots <gcovr json>: where tests are missing: the files with the most lines never
# run, and the functions never called, largest first (lines from one function to the next).
coverage_thin_spots() {
  local n=${GW_COVERAGE_TOP:-20}
  # shellcheck disable=SC2016  # jq's $variables
  local code='def code: [.lines[] | select((.["gcovr/noncode"] or .["gcovr/excluded"]) | not)];'
  echo "== files with the most lines never run (top $n): missed / lines  cover  file"
  jq -r "$code"' .files[] | code as $l
      | [([$l[] | select(.count == 0)] | length), ($l | length), .file] | @tsv' "$1" \
    | sort -t$'\t' -k1,1nr -k3 | head -n "$n" \
    | awk -F'\t' '{ printf "  %5d / %-5d %5.1f%%  %s\n", $1, $2, $2 ? 100 * ($2 - $1) / $2 : 100, $3 }'
  echo
  echo "== functions never called, largest first (top $n): lines  file:line  function"
  # shellcheck disable=SC2016
  jq -r "$code"' .files[] | .file as $f | code as $l | (.functions | sort_by(.lineno)) as $fns
      | range(0; $fns | length) as $i | $fns[$i] | select(.execution_count == 0)
      | (if $i + 1 < ($fns | length) then $fns[$i + 1].lineno else 1e9 end) as $to
      | .lineno as $from
      | [([$l[] | select(.line_number >= $from and .line_number < $to)] | length), "\($f):\($from)", .name]
      | @tsv' "$1" \
    | sort -t$'\t' -k1,1nr -k2 | head -n "$n" \
    | awk -F'\t' '{ printf "  %5d  %s  %s\n", $1, $2, $3 }'
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

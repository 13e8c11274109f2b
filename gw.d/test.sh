# gw.d/test.sh: `./gw test`: the quick checks (clang-format, shellcheck), then a throwaway stack and ctest.
# shellcheck shell=bash

# ----------------------------------------------------------------------------
# quick checks, run before the build so that they fail in seconds
# ----------------------------------------------------------------------------
# cpp_files: every git-tracked *.cpp/*.hpp into CPP_FILES: what `format` rewrites and `test` checks.
# Paths are relative to REPO, the cwd ./gw sets.
cpp_files() {
  command -v git >/dev/null 2>&1 || die "git not found: the C++ files to format are the git-tracked ones"
  git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
    || die "$REPO is not a git checkout: the C++ files to format are the git-tracked ones"
  mapfile -d '' CPP_FILES < <(git ls-files -z -- '*.cpp' '*.hpp' ':(exclude)*node_modules/*')
}

check_format() {
  local out
  local -a bad
  cpp_files
  (( ${#CPP_FILES[@]} )) || return 0
  say "checking C++ formatting (clang-format, ${#CPP_FILES[@]} files)"
  out=$(clang-format --dry-run -Werror "${CPP_FILES[@]}" </dev/null 2>&1) && return 0
  # one "FILE:LINE:COL: error: code should be clang-formatted" per difference: list each file once
  mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' <<<"$out" | sort -u)
  if (( ! ${#bad[@]} )); then printf '%s\n' "$out" >&2; die "clang-format failed (see above)"; fi
  printf 'gw: not formatted as .clang-format says:\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  die "${#bad[@]} C++ file(s) not formatted: run ./gw format (and commit the result)"
}

check_shell() {
  say "checking gw, gw.d/*.sh and the bench scripts (shellcheck)"
  shellcheck -x gw gw.d/*.sh bench/*.sh bench/scenarios/*.sh </dev/null \
    || die "shellcheck found problems in gw, gw.d/ or bench/ (see above)"
}

# check_bench: `./gw bench`'s recording and report on fixed numbers, in a second and without a
# stack. A real run, even --quick, needs its own Release build and minutes of load: not in CI.
check_bench() {
  "$REPO/bench/bench.sh" --self-check </dev/null || die "the bench driver's self-check failed (see above)"
}

# check_web: the web dashboard's ESLint and Prettier checks (web/package.json's scripts)
check_web() {
  ensure_node
  npm_ci "$REPO/web"
  say "checking web/ (eslint, prettier --check)"
  (cd "$REPO/web" && npm run --silent lint </dev/null) || die "eslint found problems in web/ (see above)"
  (cd "$REPO/web" && npm run --silent format:check </dev/null) \
    || die "web/ is not formatted as prettier says: run ./gw format (and commit the result)"
}

# ----------------------------------------------------------------------------
# test: throwaway stack + ctest
# ----------------------------------------------------------------------------
# The tests run pinned node packages: tests/reference (the JS importer the CIDs are checked
# against), tests/filebase (the Filebase double), tests/docsite (playwright-core, which drives
# Debian's chromium through the docs site), tests/web (playwright-core and axe-core, through the
# web dashboard) and tests/contract (the OpenAPI lint and the contract check). Install Node.js
# and npm when missing, and `npm ci` in each when its node_modules is missing or older than its
# package-lock.json.
ensure_node_packages() {
  local dir
  ensure_node
  # (playwright-core downloads no browser: the docs and web tests use Debian's /usr/bin/chromium)
  for dir in "$REPO/tests/reference" "$REPO/tests/filebase" "$REPO/tests/docsite" "$REPO/tests/web" \
             "$REPO/tests/contract"; do
    npm_ci "$dir"
  done
}

test_cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  stop_test_stacks
  if [[ -n ${TEST_DIR:-} && -d $TEST_DIR ]]; then
    if [[ ${GW_TEST_KEEP:-0} == 1 ]]; then
      say "GW_TEST_KEEP=1: kept $TEST_DIR (logs in $TEST_DIR/logs)"
    else
      rm -rf "$TEST_DIR"
    fi
  fi
  exit "$rc"
}

# stop_test_stacks: everything start_test_stacks started (safe to call twice). Run right after
# ctest, before the flavour's checks: a server's exit is when an instrumented build writes its
# coverage counters and runs its leak check.
stop_test_stacks() {
  [[ -n ${TEST_DIR:-} && -d $TEST_DIR && -n ${TEST_BUILD_DIR:-} ]] || return 0
  say "tearing down throwaway stack in $TEST_DIR"
  stop_filebase_stack "$TEST_DIR/filebase" "$TEST_BUILD_DIR"
  stop_two_hosts "$TEST_DIR/hosts"
  set_layout test "$TEST_DIR" "$TEST_BUILD_DIR"
  nginx_stop
  server_stop
  redis_stop
  [[ -n ${PGBIN:-} ]] && pg_stop
  return 0
}

# write_pg_restart_script <path>: a script that restarts the throwaway cluster (fast shutdown,
# waits until it accepts connections again), as the PostgreSQL user
write_pg_restart_script() {
  local runner=""
  (( IS_ROOT )) && runner="runuser -u $(printf '%q' "$PG_OS_USER") --"
  cat >"$1" <<SCRIPT
#!/usr/bin/env bash
set -euo pipefail
cd /
exec $runner $(printf '%q' "$PGBIN/pg_ctl") -D $(printf '%q' "$PG_DATA") -l $(printf '%q' "$PG_LOG") -m fast -w -t $START_TIMEOUT restart >/dev/null
SCRIPT
  chmod 0755 "$1"
}

# start_two_hosts <root>: two more app "hosts" (worker pools, 2 workers each) on the test stack's
# database and store that keep their rate limits in the test Redis, each behind its own HTTPS
# port of a small nginx with the stack's certificate: a rate limit must hold across them.
# Exports GW_TEST_HOST_A_URL and GW_TEST_HOST_B_URL.
start_two_hosts() {
  local root=$1 name port t
  local -a servers=()
  mkdir -p "$root"/{a,b}/{run,logs} "$root/body"
  chmod 0711 "$root"
  svc_own "$root"   # as root: the hosts and nginx's workers run as the service user (gw.d/common.sh)
  app_env
  for name in a b; do
    setsid "${SVC_RUN[@]}" env "${APP_ENV[@]}" GW_FCGI_SOCKET="$root/$name.sock" GW_RUN_DIR="$root/$name/run" \
      GW_LOG_DIR="$root/$name/logs" GW_WORKERS=2 GW_JOB_WORKERS=0 GW_RATE_LIMIT_REDIS_URL="$GW_TEST_REDIS_URL" \
      "$BIN" serve >"$root/$name/out" 2>&1 </dev/null &
    echo $! >"$root/$name/server.pid"
    t=$(( START_TIMEOUT * 10 ))
    while [[ ! -S $root/$name.sock ]] && (( t-- > 0 )); do sleep 0.1; done
    [[ -S $root/$name.sock ]] || { show_tail "$root/$name/out"; die "test host $name did not start"; }
    port=$(free_port "$HTTPS_PORT" "${servers[@]/#*:/}")
    servers+=("$name:$port")
    export "GW_TEST_HOST_${name^^}_URL=https://127.0.0.1:$port"
  done
  {
    if [[ -n $SVC_USER ]]; then echo "user $SVC_USER;"; elif (( IS_ROOT )); then echo "user root;"; fi
    echo "worker_processes 1; pid $root/nginx.pid; error_log $root/nginx-error.log warn;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log off; client_body_temp_path $root/body;"
    for name in a b; do
      port=${servers[0]#*:}; [[ $name == b ]] && port=${servers[1]#*:}
      echo "  server { listen 127.0.0.1:$port ssl; ssl_certificate $TLS_CERT; ssl_certificate_key $TLS_KEY;"
      echo "    location / { include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_ID \$request_id;"
      echo "      fastcgi_keep_conn off; fastcgi_pass unix:$root/$name.sock; } }"
    done
    echo "}"
  } >"$root/nginx.conf"
  "$NGINX" -p "$root/" -c "$root/nginx.conf" -e "$root/nginx-error.log" </dev/null \
    || { show_tail "$root/nginx-error.log"; die "the test hosts' nginx did not start"; }
  say "test hosts sharing Redis: $GW_TEST_HOST_A_URL, $GW_TEST_HOST_B_URL"
}

stop_two_hosts() {
  local root=$1 name pid
  [[ -d $root ]] || return 0
  [[ -f $root/nginx.pid ]] && "$NGINX" -p "$root/" -c "$root/nginx.conf" -e "$root/nginx-error.log" -s stop 2>/dev/null
  for name in a b; do
    pid=$(pidfile_pid "$root/$name/server.pid")
    [[ -n $pid ]] && stop_pid "test host $name" "$pid" TERM ipfs-gateway
  done
  return 0
}

# run_contract_check: every response the e2e suites recorded (GW_TEST_RECORD_FILE) against
# docs/openapi.yaml (tests/contract/check_contract.mjs), right after ctest and in the same run,
# so that it sees every e2e test of both stacks and fails the run (why this is not a ctest:
# tests/contract/CMakeLists.txt). A full run must have recorded exchanges and exercised every
# operation of the document. With GW_CTEST_ARGS (some tests only) the check covers what they
# recorded (--partial: operations nobody exercised are listed, not failed), and is skipped
# when they recorded nothing (no e2e test ran).
run_contract_check() {
  local -a args=(--spec "$REPO/docs/openapi.yaml" --recording "$GW_TEST_RECORD_FILE")
  if [[ -n ${GW_CTEST_ARGS:-} ]]; then
    if [[ ! -s $GW_TEST_RECORD_FILE ]]; then
      say "contract check skipped: the selected tests recorded no e2e exchange"
      return 0
    fi
    args+=(--partial)
  fi
  say "checking the recorded e2e exchanges against docs/openapi.yaml ($GW_TEST_RECORD_FILE)"
  node "$REPO/tests/contract/check_contract.mjs" "${args[@]}" </dev/null
}


# ----------------------------------------------------------------------------
# the flavours of a test run: one stack setup and one ctest step for all three
# ----------------------------------------------------------------------------
# normal    (./gw test)             Release, in GW_TEST_BUILD_DIR (build-test)
# sanitize  (./gw test --sanitize)  ASan + UBSan (GW_SANITIZE), in build-asan: the test binaries and
#                                   every process of the stacks (supervisor, FastCGI and job workers)
# coverage  (./gw coverage)         gcov (GW_COVERAGE), in build-coverage, then gcovr's report
# test_build_dir <flavour>: where that flavour builds
test_build_dir() {
  case $1 in
    normal) echo "${GW_TEST_BUILD_DIR:-$REPO/build-test}" ;;
    sanitize) echo "$REPO/build-asan" ;;
    coverage) echo "$REPO/build-coverage" ;;
    *) die "unknown test flavour: $1" ;;
  esac
}

# test_build <flavour>: build the app and the tests into $(test_build_dir flavour) = TEST_BUILD_DIR.
# The instrumented builds are Debug (assertions on; -O1 for the sanitizers, set by GW_SANITIZE)
# and leave the benchmarks out.
test_build() {
  # GW_TEST_HOOKS: the test-only hooks the e2e crash tests use (CMakeLists.txt); inert unless the
  # stack's app has GW_TEST_HOOKS_DIR (app_env sets it in TEST_MODE only)
  local -a args=(-DGW_TESTS=ON -DGW_TEST_HOOKS=ON)
  case $1 in
    sanitize) args+=(-DCMAKE_BUILD_TYPE=Debug -DGW_BENCH=OFF -DGW_SANITIZE=ON -DGW_COVERAGE=OFF) ;;
    coverage) args+=(-DCMAKE_BUILD_TYPE=Debug -DGW_BENCH=OFF -DGW_COVERAGE=ON -DGW_SANITIZE=OFF) ;;
  esac
  TEST_BUILD_DIR=$(test_build_dir "$1")
  build "$TEST_BUILD_DIR" "${args[@]}"
  # one run, one report: the counters of earlier runs (which gcov would add to) go
  if [[ $1 == coverage ]]; then find "$TEST_BUILD_DIR" -name '*.gcda' -delete; fi
}

# sanitizer_env: where every sanitized process writes its reports. The stacks' processes are not
# the test binary: their stderr goes to a log nobody reads, and a worker's report would be lost.
# So every process (test binaries, supervisors, workers, CLI commands) writes to
# $TEST_DIR/sanitizer/report.<pid>, which check_sanitizer_reports reads after the run.
# LeakSanitizer: on, with tests/sanitize/lsan.supp (system libraries only, see the file).
sanitizer_env() {
  SANITIZER_LOG_DIR=$TEST_DIR/sanitizer
  mkdir -p "$SANITIZER_LOG_DIR"
  chmod 0777 "$SANITIZER_LOG_DIR"
  local common="log_path=$SANITIZER_LOG_DIR/report:print_stacktrace=1:halt_on_error=1"
  # GW_ASAN_OPTIONS: more, e.g. fast_unwind_on_malloc=0 (slow; full allocation stacks through
  # system libraries built without frame pointers)
  export ASAN_OPTIONS="$common:detect_leaks=1:abort_on_error=0:strict_init_order=1:detect_stack_use_after_return=0${GW_ASAN_OPTIONS:+:$GW_ASAN_OPTIONS}"
  export UBSAN_OPTIONS="$common:print_summary=1"
  export LSAN_OPTIONS="suppressions=$REPO/tests/sanitize/lsan.supp:print_suppressions=0"
}

# check_sanitizer_reports: fail when any process wrote a sanitizer report, and print each.
check_sanitizer_reports() {
  local -a reports=()
  local f
  for f in "$SANITIZER_LOG_DIR"/report.*; do [[ -s $f ]] && reports+=("$f"); done
  if (( ! ${#reports[@]} )); then
    say "sanitizers: no report from any process"
    return 0
  fi
  for f in "${reports[@]}"; do
    printf -- '----- sanitizer report %s -----\n' "$f" >&2
    cat "$f" >&2
  done
  say "sanitizers: ${#reports[@]} report(s) (above; GW_TEST_KEEP=1 keeps them in $SANITIZER_LOG_DIR)"
  return 1
}

# start_test_stacks: the throwaway stacks in a new TEST_DIR for the build in TEST_BUILD_DIR, with
# the GW_TEST_* variables the tests read: the main stack (embedded store), a redis-server and two
# more app "hosts" sharing it, the Filebase stack. Registers test_cleanup for any exit.
start_test_stacks() {
  local flavour=$1 build_dir=$TEST_BUILD_DIR
  TEST_DIR=$(mktemp -d /tmp/ipfsgw-test.XXXXXX)
  chmod 0711 "$TEST_DIR"   # the PostgreSQL user must traverse it
  trap test_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # before the first process of the stack: they all inherit it
  if [[ $flavour == sanitize ]]; then sanitizer_env; fi
  set_layout test "$TEST_DIR" "$build_dir"
  say "throwaway stack in $TEST_DIR (https :$HTTPS_PORT, http :$HTTP_PORT)"
  start_stack admin@example.com

  export GW_TEST_DATABASE_URL GW_TEST_APP_DATABASE_URL GW_TEST_BASE_URL GW_TEST_HTTP_URL \
    GW_TEST_CA_FILE GW_TEST_ADMIN_KEY GW_TEST_RUN_DIR GW_TEST_LOG_DIR GW_TEST_MIGRATIONS_DIR \
    GW_TEST_KEY_PEPPER_FILE GW_TEST_STORE_DIR GW_TEST_REFERENCE_DIR GW_TEST_PG_RESTART \
    GW_TEST_DOCS_SITE_DIR
  GW_TEST_DATABASE_URL=$(super_dsn)
  GW_TEST_APP_DATABASE_URL=$(app_dsn)
  GW_TEST_BASE_URL=https://127.0.0.1:$HTTPS_PORT
  GW_TEST_HTTP_URL=http://127.0.0.1:$HTTP_PORT
  GW_TEST_CA_FILE=$TLS_CERT
  GW_TEST_ADMIN_KEY=$(cat "$ADMIN_KEY_FILE")
  GW_TEST_RUN_DIR=$RUN_DIR
  GW_TEST_LOG_DIR=$LOG_DIR
  GW_TEST_MIGRATIONS_DIR=$MIGRATIONS_DIR
  GW_TEST_KEY_PEPPER_FILE=$SECRETS_DIR/key_pepper
  GW_TEST_STORE_DIR=$STORE_DIR
  GW_TEST_REFERENCE_DIR=$REPO/tests/reference
  GW_TEST_DOCS_SITE_DIR=$DOCS_SITE_DIR   # what nginx serves at /docs/ (the docs tests check it)
  # e2e tests restart PostgreSQL with it (jobs must survive a database restart)
  GW_TEST_PG_RESTART=$TEST_DIR/pg-restart
  write_pg_restart_script "$GW_TEST_PG_RESTART"
  # the Redis rate-limit store's tests (label redis) get a throwaway redis-server; the stacks'
  # apps do not use it, the two "hosts" below do
  redis_start
  export GW_TEST_REDIS_URL=$REDIS_URL
  start_two_hosts "$TEST_DIR/hosts"
  # the content and task e2e suites run again against this one (label e2e-filebase)
  start_filebase_stack "$TEST_DIR/filebase" "$build_dir"
}

# run_ctest: ctest in TEST_BUILD_DIR (GW_CTEST_ARGS: e.g. "-L unit"), then the contract check of
# what the e2e tests recorded. Returns ctest's exit status, else the contract check's.
run_ctest() {
  local build_dir=$TEST_BUILD_DIR rc=0 contract_rc=0
  # every exchange of the e2e clients is appended here (tests/e2e/https_client.hpp,
  # RecordExchange), for the contract check after ctest; emptied first: one run, one recording
  export GW_TEST_RECORD_FILE=$build_dir/contract/exchanges.jsonl
  mkdir -p "$build_dir/contract"
  : >"$GW_TEST_RECORD_FILE"
  # the web tests' screenshots (tests/web): in the build directory by default (a run empties
  # its own default directory first, never one the caller named)
  if [[ -z ${GW_TEST_ARTIFACTS_DIR:-} ]]; then
    export GW_TEST_ARTIFACTS_DIR=$build_dir/web-artifacts
    rm -rf "$GW_TEST_ARTIFACTS_DIR"
  fi

  say "running ctest in $build_dir"
  local secrets_rc=0
  # GW_CTEST_ARGS is a list of ctest arguments (e.g. "-L unit"): split on purpose
  local -a ctest_args
  read -r -a ctest_args <<<"${GW_CTEST_ARGS:-}"
  ctest --test-dir "$build_dir" --output-on-failure "${ctest_args[@]}" </dev/null || rc=$?
  run_contract_check || contract_rc=$?
  run_secrets_check || secrets_rc=$?   # gw.d/secrets.sh
  if [[ -d $GW_TEST_ARTIFACTS_DIR ]]; then
    say "web test screenshots: $GW_TEST_ARTIFACTS_DIR ($(find "$GW_TEST_ARTIFACTS_DIR" -name '*.png' | wc -l) files)"
  fi
  if (( rc != 0 )); then
    say "ctest FAILED (exit $rc)"
    show_tail "$LOG_DIR/server.out" 30
    show_tail "$LOG_DIR/nginx-error.log" 20
  else
    say "ctest passed"
  fi
  if (( contract_rc != 0 )); then
    say "contract check FAILED: responses that docs/openapi.yaml does not describe (above)"
    (( rc != 0 )) || rc=$contract_rc
  fi
  if (( secrets_rc != 0 )); then
    say "secrets check FAILED: a key, password or key hash where it must not be (above)"
    (( rc != 0 )) || rc=$secrets_rc
  fi
  return "$rc"
}

# run_test_suites <flavour>: build, stacks, ctest, teardown, then the flavour's own check. Sets
# TEST_RC to the first failure's exit status (0: all passed); the stacks are down and, unless
# GW_TEST_KEEP=1, removed by test_cleanup when the script exits. (It sets TEST_RC rather than
# return it: `run_test_suites || ...` would turn off `set -e` in everything it calls.)
run_test_suites() {
  local flavour=$1
  TEST_RC=0
  PGBIN=$(pg_bin_dir)
  test_build "$flavour"
  ensure_node_packages
  start_test_stacks "$flavour"
  run_ctest || TEST_RC=$?
  stop_test_stacks || warn "the throwaway stacks did not stop cleanly"
  if [[ $flavour == sanitize ]]; then
    check_sanitizer_reports || (( TEST_RC != 0 )) || TEST_RC=1
  fi
}

cmd_test() {
  local flavour=normal arg started=$SECONDS
  for arg in "$@"; do
    case $arg in
      --sanitize) flavour=sanitize ;;
      *) die "usage: ./gw test [--sanitize]" ;;
    esac
  done
  ensure_packages
  check_format
  check_shell
  check_bench
  check_web
  # libFuzzer targets, GW_TEST_FUZZ_SECONDS each (gw.d/fuzz.sh): they are built with ASan + UBSan
  # themselves, so the sanitize flavour does not run them again
  if [[ $flavour == normal ]]; then run_fuzz_step; fi
  run_test_suites "$flavour"
  say "test ($flavour) took $(( SECONDS - started ))s"
  exit "$TEST_RC"
}

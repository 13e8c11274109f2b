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
  say "checking gw and gw.d/*.sh (shellcheck)"
  shellcheck -x gw gw.d/*.sh </dev/null || die "shellcheck found problems in gw or gw.d/ (see above)"
}

# ----------------------------------------------------------------------------
# test: throwaway stack + ctest
# ----------------------------------------------------------------------------
# The tests run three pinned node packages: tests/reference (the JS importer the CIDs are checked
# against), tests/filebase (the Filebase double), tests/docsite (playwright-core, which drives
# Debian's chromium through the docs site) and tests/contract (the OpenAPI lint and the contract
# check). Install Node.js and npm when missing, and `npm ci` in
# each when its node_modules is missing or older than its package-lock.json.
ensure_node_packages() {
  local dir
  ensure_node
  # (playwright-core downloads no browser: the docs tests use Debian's /usr/bin/chromium)
  for dir in "$REPO/tests/reference" "$REPO/tests/filebase" "$REPO/tests/docsite" "$REPO/tests/contract"; do
    npm_ci "$dir"
  done
}

test_cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n ${TEST_DIR:-} && -d $TEST_DIR ]]; then
    say "tearing down throwaway stack in $TEST_DIR"
    stop_filebase_stack "$TEST_DIR/filebase" "$TEST_BUILD_DIR"
    stop_two_hosts "$TEST_DIR/hosts"
    set_layout test "$TEST_DIR" "$TEST_BUILD_DIR"
    nginx_stop
    server_stop
    redis_stop
    [[ -n ${PGBIN:-} ]] && pg_stop
    if [[ ${GW_TEST_KEEP:-0} == 1 ]]; then
      say "GW_TEST_KEEP=1: kept $TEST_DIR (logs in $LOG_DIR)"
    else
      rm -rf "$TEST_DIR"
    fi
  fi
  exit "$rc"
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

cmd_test() {
  ensure_packages
  check_format
  check_shell
  run_fuzz_step   # libFuzzer targets, GW_TEST_FUZZ_SECONDS each (gw.d/fuzz.sh)
  PGBIN=$(pg_bin_dir)
  TEST_BUILD_DIR=${GW_TEST_BUILD_DIR:-$REPO/build-test}
  local build_dir=$TEST_BUILD_DIR
  # GW_TEST_HOOKS: the test-only hooks the e2e crash tests use (CMakeLists.txt); inert unless the
  # stack's app has GW_TEST_HOOKS_DIR (app_env sets it in TEST_MODE only)
  build "$build_dir" -DGW_TESTS=ON -DGW_TEST_HOOKS=ON
  ensure_node_packages

  TEST_DIR=$(mktemp -d /tmp/ipfsgw-test.XXXXXX)
  chmod 0711 "$TEST_DIR"   # the PostgreSQL user must traverse it
  trap test_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
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

  # every exchange of the e2e clients is appended here (tests/e2e/https_client.hpp,
  # RecordExchange), for the contract check after ctest; emptied first: one run, one recording
  export GW_TEST_RECORD_FILE=$build_dir/contract/exchanges.jsonl
  mkdir -p "$build_dir/contract"
  : >"$GW_TEST_RECORD_FILE"

  say "running ctest in $build_dir"
  local rc=0 contract_rc=0 secrets_rc=0
  # GW_CTEST_ARGS is a list of ctest arguments (e.g. "-L unit"): split on purpose
  local -a ctest_args
  read -r -a ctest_args <<<"${GW_CTEST_ARGS:-}"
  ctest --test-dir "$build_dir" --output-on-failure "${ctest_args[@]}" </dev/null || rc=$?
  run_contract_check || contract_rc=$?
  run_secrets_check || secrets_rc=$?   # gw.d/secrets.sh
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
  exit "$rc"
}

# gw.d/app.sh: the ipfs-gateway binary: build, run with the stack's configuration, serve start/stop, readiness, admin.
# shellcheck shell=bash

# ----------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------
build() {  # build <dir> [extra cmake args]: Release unless they set CMAKE_BUILD_TYPE
  local dir=$1 arg type=Release; shift
  for arg in "$@"; do [[ $arg == -DCMAKE_BUILD_TYPE=* ]] && type=${arg#*=}; done
  say "building $type in $dir"
  cmake -S "$REPO" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" </dev/null || die "cmake configure failed"
  cmake --build "$dir" -j "$(nproc)" </dev/null || die "build failed"
  [[ -x $dir/ipfs-gateway ]] || die "build finished but $dir/ipfs-gateway is missing"
}

require_bin() {
  [[ -x $BIN ]] || die "$BIN not found: run ./gw build (or ./gw up)"
}

# ----------------------------------------------------------------------------
# the application binary
# ----------------------------------------------------------------------------
# run_app <args...>: the binary with exactly our configuration in its environment
app_env() {
  # (a secret and its *_FILE together are an error: the caller's of what gw sets are dropped)
  APP_ENV=(-u GW_KEY_PEPPER -u DATABASE_USER -u DATABASE_PASSWORD -u DATABASE_HOST -u DATABASE_PORT -u DATABASE_NAME
    -u DATABASE_URL_FILE -u DATABASE_PASSWORD_FILE
    "DATABASE_URL=$(app_dsn)"
    "GW_KEY_PEPPER_FILE=$SECRETS_DIR/key_pepper"
    "GW_FCGI_SOCKET=$FCGI_SOCKET"
    "GW_LOG_DIR=$LOG_DIR"
    "GW_RUN_DIR=$RUN_DIR"
    "GW_MIGRATIONS_DIR=$MIGRATIONS_DIR"
    "GW_STORE_DIR=$STORE_DIR"
    "GW_MAX_UPLOAD_BYTES=$MAX_UPLOAD_BYTES"
    "GW_STORAGE=$STORAGE")
  # the shared rate-limit store: the stack's own redis-server when it runs one (`up --with-redis`);
  # a test stack uses none unless it starts one, whatever the caller's environment says (env's -u
  # options must come before its NAME=VALUE arguments: hence in front)
  if [[ -n $STACK_REDIS_URL ]]; then
    APP_ENV=(-u GW_RATE_LIMIT_REDIS_URL_FILE "${APP_ENV[@]}" "GW_RATE_LIMIT_REDIS_URL=$STACK_REDIS_URL")
  elif (( TEST_MODE )); then
    APP_ENV=(-u GW_RATE_LIMIT_REDIS_URL_FILE "${APP_ENV[@]}" "GW_RATE_LIMIT_REDIS_URL=")
  fi
  # the e2e tests expect the default CID profile, whatever the caller's environment says; the
  # Filebase stack must detect the double's (auto)
  if (( TEST_MODE )); then
    # 4 workers x 4 threads: the rate-limit tests need several processes spending one budget.
    # nginx (127.0.0.1) is trusted as a proxy so that each e2e client can be its own address.
    APP_ENV+=("GW_WORKERS=${GW_TEST_WORKERS:-4}" "GW_THREADS=4" "GW_TRUSTED_PROXIES=127.0.0.1")
    # where the test-only hooks look for their one-shot markers (tests/e2e/upload_crash_test.cpp);
    # compiled into test builds only (-DGW_TEST_HOOKS=ON), ignored by any other binary
    APP_ENV+=("GW_TEST_HOOKS_DIR=$RUN_DIR")
    if [[ $STORAGE == filebase ]]; then APP_ENV+=("GW_CID_PROFILE=auto"); else APP_ENV+=("GW_CID_PROFILE=kubo-add-cidv1"); fi
  fi
}
run_app() { app_env; as_svc env "${APP_ENV[@]}" "$BIN" "$@"; }   # as the service user (common.sh)
# a digest of the settings above (never the settings: DATABASE_URL holds a password), so that
# server_start can tell a running server started with other ones (e.g. up, then up --with-redis)
app_env_digest() { app_env; printf '%s\n' "${APP_ENV[@]}" | sha256sum | cut -d' ' -f1; }

migrate() {
  say "applying migrations from $MIGRATIONS_DIR"
  run_app migrate </dev/null >>"$LOG_DIR/migrate.out" 2>&1 || { show_tail "$LOG_DIR/migrate.out"; die "migrate failed"; }
}

server_pid() { pidfile_pid "$RUN_DIR/server.pid"; }
server_running() { pid_alive "$(server_pid)" ipfs-gateway; }

server_stop() {
  local pid f wpid
  pid=$(server_pid)
  # SIGTERM drains in-flight requests (up to GW_DRAIN_TIMEOUT_S, app default 30s)
  [[ -n $pid ]] && stop_pid "ipfs-gateway serve" "$pid" TERM ipfs-gateway $(( ${GW_DRAIN_TIMEOUT_S:-30} + 15 ))
  # workers orphaned by a crashed supervisor
  for f in "$RUN_DIR"/worker-*.pid "$RUN_DIR"/job-worker-*.pid; do
    [[ -e $f ]] || continue
    wpid=$(pidfile_pid "$f")
    [[ -n $wpid ]] && stop_pid "worker $(basename "$f" .pid)" "$wpid" TERM ipfs-gateway
    rm -f "$f"
  done
  rm -f "$RUN_DIR/server.pid" "$RUN_DIR/server.env.sha256"
}

server_start() {
  if server_running; then
    if [[ $BIN -nt $RUN_DIR/server.pid ]]; then
      say "binary was rebuilt since the server started: restarting it"
      server_stop
    elif [[ $(app_env_digest) != "$(cat "$RUN_DIR/server.env.sha256" 2>/dev/null)" ]]; then
      say "the app's settings changed since the server started: restarting it"
      server_stop
    elif [[ -S $FCGI_SOCKET ]]; then
      say "ipfs-gateway serve already running (pid $(server_pid))"
      return 0
    else
      warn "server running but socket $FCGI_SOCKET is missing: restarting it"
      server_stop
    fi
  else
    server_stop   # clean leftovers (stale pid files, orphaned workers)
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$STORE_DIR"
  svc_own "$RUN_DIR" "$LOG_DIR" "$STORE_DIR"
  rm -f "$FCGI_SOCKET"
  say "starting ipfs-gateway serve (socket $FCGI_SOCKET)"
  app_env
  # setsid: own session, so terminal hang-ups and Ctrl-C in this shell do not reach it.
  # (A background child of a non-interactive shell is never a group leader, so
  # setsid does not fork and $! is the server's pid.)
  # As the service user (SVC_RUN, common.sh: setpriv execs, so $! is still the server's pid).
  setsid "${SVC_RUN[@]}" env "${APP_ENV[@]}" "$BIN" serve >>"$LOG_DIR/server.out" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/server.pid"
  app_env_digest >"$RUN_DIR/server.env.sha256"
  local pid; pid=$(server_pid) t=$(( START_TIMEOUT * 10 ))
  while (( t-- > 0 )); do
    [[ -S $FCGI_SOCKET ]] && break
    pid_alive "$pid" ipfs-gateway || { sleep 0.3; show_tail "$LOG_DIR/server.out"; die "ipfs-gateway serve exited during startup"; }
    sleep 0.1
  done
  [[ -S $FCGI_SOCKET ]] || { show_tail "$LOG_DIR/server.out"; die "ipfs-gateway serve did not create $FCGI_SOCKET within ${START_TIMEOUT}s"; }
}

# ----------------------------------------------------------------------------
# readiness / admin
# ----------------------------------------------------------------------------
base_url() { echo "https://localhost:$HTTPS_PORT"; }
ready_code() {  # HTTP status of GET /health/ready via nginx (000 = no answer)
  curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "https://127.0.0.1:$HTTPS_PORT/health/ready" 2>/dev/null || true
}
wait_ready() {
  local t=$(( START_TIMEOUT * 2 )) code=000
  while (( t-- > 0 )); do
    code=$(ready_code); [[ $code == 200 ]] && return 0
    sleep 0.5
  done
  show_tail "$LOG_DIR/server.out"; show_tail "$LOG_DIR/nginx-error.log" 20
  die "GET /health/ready did not return 200 within ${START_TIMEOUT}s (last status: $code)"
}

# create_admin <email> <keyfile>: create once; key printed once + saved 0600
create_admin() {
  local email=$1 keyfile=$2 key rc=0
  if [[ -s $keyfile ]]; then
    say "admin API key is in $keyfile"
    return 0
  fi
  key=$(run_app admin create --email "$email" </dev/null 2>>"$LOG_DIR/admin.out") || rc=$?
  if (( rc == 3 )); then
    warn "admin $email already exists but $keyfile is missing; create another admin with: ./gw admin create --email other@example.com"
    return 0
  fi
  (( rc == 0 )) || { show_tail "$LOG_DIR/admin.out"; die "admin create failed (exit $rc)"; }
  key=$(printf '%s' "$key" | tr -d '[:space:]')
  [[ -n $key ]] || die "admin create printed no key"
  ( umask 077; printf '%s\n' "$key" >"$keyfile" )
  chmod 0600 "$keyfile"
}

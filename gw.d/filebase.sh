# gw.d/filebase.sh: the Filebase double (tests/filebase) and the second test stack that uses it.
# shellcheck shell=bash

# start_filebase_double <dir> <profile>: the double on free loopback ports, with throwaway
# credentials; exports the FILEBASE_* settings that point the app at it and sets
# FILEBASE_CONTROL_URL (its fault and request-log API).
start_filebase_double() {
  local dir=$1 profile=$2 t ready=""
  mkdir -p "$dir"
  # a breaker open for 3 s (not 60): the tests of an outage wait for the recovery
  export FILEBASE_REGION=us-east-1 FILEBASE_BUCKET=gw-test FILEBASE_BREAKER_OPEN_S=3
  FILEBASE_ACCESS_KEY=GWTEST$(openssl rand -hex 8 | tr 'a-f' 'A-F')
  FILEBASE_SECRET_KEY=$(openssl rand -hex 20)
  FILEBASE_PINNING_TOKEN=$(openssl rand -hex 16)
  export FILEBASE_ACCESS_KEY FILEBASE_SECRET_KEY FILEBASE_PINNING_TOKEN
  say "starting the Filebase double (profile $profile)"
  # setsid: its own session, like the server, so that a Ctrl-C of the test run reaches gw only
  svc_own "$dir"   # as root: it runs as the service user (gw.d/common.sh), like the app
  setsid "${SVC_RUN[@]}" node "$REPO/tests/filebase/double.mjs" --port 0 --control-port 0 --dir "$dir/data" \
    --region "$FILEBASE_REGION" --bucket "$FILEBASE_BUCKET" --access-key "$FILEBASE_ACCESS_KEY" \
    --secret-key "$FILEBASE_SECRET_KEY" --pinning-token "$FILEBASE_PINNING_TOKEN" --profile "$profile" \
    >"$dir/ready" 2>"$dir/double.log" </dev/null &
  echo $! >"$dir/double.pid"
  for (( t = START_TIMEOUT * 10; t > 0; t-- )); do
    ready=$(head -n1 "$dir/ready" 2>/dev/null || true)
    [[ $ready == ready\ * ]] && break
    proc_live "$(pidfile_pid "$dir/double.pid")" || break
    sleep 0.1
  done
  [[ $ready =~ ^ready\ ([0-9]+)\ ([0-9]+)$ ]] || { show_tail "$dir/double.log"; die "the Filebase double did not start"; }
  export FILEBASE_ENDPOINT=http://127.0.0.1:${BASH_REMATCH[1]}
  export FILEBASE_PINNING_URL=http://127.0.0.1:${BASH_REMATCH[1]}/pinning
  FILEBASE_CONTROL_URL=http://127.0.0.1:${BASH_REMATCH[2]}
}

stop_filebase_double() {  # stop_filebase_double <dir>
  local pid
  pid=$(pidfile_pid "$1/double.pid")
  [[ -n $pid ]] && stop_pid "Filebase double" "$pid" TERM double.mjs 10
  rm -f "$1/double.pid"
}

# start_filebase_stack <root> <build dir>: a second throwaway stack (its own PostgreSQL, app and
# nginx) with GW_STORAGE=filebase on a double started with the default profile, which the app
# must detect (GW_CID_PROFILE=auto). Exports its GW_TEST_FILEBASE_* description for the e2e
# tests that run against both backends (tests/e2e/CMakeLists.txt).
start_filebase_stack() {
  local root=$1 build=$2
  mkdir -p "$root"
  chmod 0711 "$root"   # the PostgreSQL user must traverse it
  start_filebase_double "$root/double" kubo-add-cidv1
  (
    set_layout test "$root/stack" "$build"
    # shellcheck disable=SC2034  # read by app_env and render_nginx (other parts)
    STORAGE=filebase
    say "Filebase stack in $root/stack (https :$HTTPS_PORT)"
    start_stack admin@example.com
    write_pg_restart_script "$root/pg-restart"
    {
      echo "GW_TEST_FILEBASE_BASE_URL=https://127.0.0.1:$HTTPS_PORT"
      echo "GW_TEST_FILEBASE_HTTP_URL=http://127.0.0.1:$HTTP_PORT"
      echo "GW_TEST_FILEBASE_CA_FILE=$TLS_CERT"
      echo "GW_TEST_FILEBASE_ADMIN_KEY=$(cat "$ADMIN_KEY_FILE")"
      echo "GW_TEST_FILEBASE_RUN_DIR=$RUN_DIR"
      echo "GW_TEST_FILEBASE_LOG_DIR=$LOG_DIR"
      echo "GW_TEST_FILEBASE_STORE_DIR=$STORE_DIR"
      echo "GW_TEST_FILEBASE_APP_DATABASE_URL=$(app_dsn)"
      echo "GW_TEST_FILEBASE_DATABASE_URL=$(super_dsn)"
      echo "GW_TEST_FILEBASE_PG_RESTART=$root/pg-restart"
    } >"$root/stack.env"
  ) || die "the Filebase test stack did not start"
  local k v
  while IFS='=' read -r k v; do export "$k=$v"; done <"$root/stack.env"
  export GW_TEST_FILEBASE_CONTROL_URL=$FILEBASE_CONTROL_URL
}

# stop_filebase_stack <root> <build dir>: everything start_filebase_stack started.
stop_filebase_stack() {
  local root=$1
  [[ -d $root ]] || return 0
  if [[ -d $root/stack ]]; then
    set_layout test "$root/stack" "$2"
    nginx_stop
    server_stop
    [[ -n ${PGBIN:-} ]] && pg_stop
  fi
  stop_filebase_double "$root/double"
}

# gw.d/bench.sh: `./gw bench`: a throwaway stack in benchmark configuration, then bench/bench.sh.
# shellcheck shell=bash

# The benchmark configuration (bench/README.md, "Benchmark configuration"), and nothing else
# differs from `./gw up`'s stack:
# - a Release build with the benchmark tools, in GW_BENCH_BUILD_DIR (build-bench): the app and
#   micro_bench/fcgi_hello/job_queue_throughput from one build;
# - its own stack in a temp dir on loopback, on random ports like `./gw test`'s (never 8443);
# - nginx's per-IP limit_req off (GW_NGINX_RATE=off; loopback is exempt anyway);
# - no docs site and no web dashboard (no node or pandoc build; nothing benchmarks them);
# - bench-only locations in the gateway's own TLS server block (bench/nginx-bench.conf.in,
#   included through @BENCH_LOCATIONS@ only here): `return 200`, the same files as static files,
#   and a PUT that receives a body into a file with the /upload location's own body settings;
# - the bench users get a plan override that no benchmark exhausts (bench/bench.sh).
# The access log stays as in production (JSON, buffer=64k flush=1s).

bench_cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n ${BENCH_DIR:-} && -d $BENCH_DIR ]]; then
    say "tearing down the bench stack in $BENCH_DIR"
    set_layout test "$BENCH_DIR" "$BENCH_BUILD_DIR"
    nginx_stop
    server_stop
    [[ -n ${PGBIN:-} ]] && pg_stop
    if [[ ${GW_BENCH_KEEP:-0} == 1 ]]; then say "GW_BENCH_KEEP=1: kept $BENCH_DIR"; else rm -rf "$BENCH_DIR"; fi
  fi
  exit "$rc"
}

cmd_bench() {
  local arg
  local -a driver_args=()
  for arg in "$@"; do
    case $arg in
      --quick|--soak|--self-check) driver_args+=("$arg") ;;
      --only=*) driver_args+=("$arg") ;;
      *) die "usage: ./gw bench [--quick] [--soak] [--only=SCENARIO,...] [--self-check]" ;;
    esac
  done
  # the report generator on a fixture, without a stack (what `./gw test` runs)
  if [[ " ${driver_args[*]} " == *" --self-check "* ]]; then exec "$REPO/bench/bench.sh" --self-check; fi
  ensure_packages
  PGBIN=$(pg_bin_dir)
  BENCH_BUILD_DIR=${GW_BENCH_BUILD_DIR:-$REPO/build-bench}
  [[ $BENCH_BUILD_DIR == /* ]] || BENCH_BUILD_DIR=$REPO/$BENCH_BUILD_DIR
  build "$BENCH_BUILD_DIR" -DGW_TESTS=OFF -DGW_BENCH=ON
  BENCH_DIR=$(mktemp -d /tmp/ipfsgw-bench.XXXXXX)
  chmod 0711 "$BENCH_DIR"   # the PostgreSQL user must traverse it
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  set_layout test "$BENCH_DIR" "$BENCH_BUILD_DIR"
  # no docs site and no dashboard in the bench stack (start_stack), kept out of the build dir
  # shellcheck disable=SC2034  # read by start_stack and render_nginx
  DOCS_SITE_DIR=$BENCH_DIR/docs-site WEB_APP_DIR=$BENCH_DIR/web-app STACK_WITHOUT_PAGES=1
  mkdir -p "$BENCH_DIR/work/static" "$BENCH_DIR/work/receive"
  sed -e "s|@BENCH_WORK@|$BENCH_DIR/work|g" -e "s|@CONF_DIR@|$NGINX_DIR/conf|g" \
    "$REPO/bench/nginx-bench.conf.in" >"$BENCH_DIR/nginx-bench.conf"
  sed -e "s|@BENCH_WORK@|$BENCH_DIR/work|g" -e "s|@UPSTREAM_KEEPALIVE@|${GW_NGINX_UPSTREAM_KEEPALIVE:-64}|g" \
    "$REPO/bench/nginx-bench-http.conf.in" >"$BENCH_DIR/nginx-bench-http.conf"
  # shellcheck disable=SC2034  # both read by render_nginx (gw.d/nginx.sh)
  BENCH_NGINX_HTTP_INCLUDE=$BENCH_DIR/nginx-bench-http.conf BENCH_NGINX_INCLUDE=$BENCH_DIR/nginx-bench.conf
  export GW_NGINX_RATE=off
  # production's PostgreSQL durability (fsync, synchronous_commit), not ./gw test's: every
  # audited request commits, and the wait for the disk is part of what a user sees
  export GW_PG_DURABLE=${GW_PG_DURABLE:-1}
  say "bench stack in $BENCH_DIR (https :$HTTPS_PORT)"
  start_stack admin@example.com
  svc_own "$BENCH_DIR/work"   # nginx's workers write the received bodies there

  local db_dsn
  db_dsn="postgresql://$DB_SUPER_ROLE:$(cat "$SECRETS_DIR/pg_superuser_password")@/$DB_NAME?host=$PG_SOCK&port=$PG_PORT"
  BENCH_BASE=https://127.0.0.1:$HTTPS_PORT BENCH_CA=$TLS_CERT BENCH_ADMIN_KEY_FILE=$ADMIN_KEY_FILE \
    BENCH_ACCESS_LOG=$LOG_DIR/nginx-access.log \
    BENCH_DB_DSN=$db_dsn BENCH_SUPER_DSN=$(super_dsn) BENCH_RUN_DIR=$RUN_DIR \
    BENCH_WORK=$BENCH_DIR/work BENCH_TOOLS=$BENCH_BUILD_DIR BENCH_NGINX_CONF=$NGINX_DIR/conf/nginx.conf \
    BENCH_PG_VERSION="$("$PGBIN/postgres" --version)" BENCH_MIGRATIONS_DIR=$MIGRATIONS_DIR \
    "$REPO/bench/bench.sh" "${driver_args[@]}" </dev/null
}

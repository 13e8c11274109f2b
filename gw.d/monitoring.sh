# gw.d/monitoring.sh: `./gw up --with-monitoring`: Prometheus and the node, PostgreSQL and nginx exporters for the stack, on loopback.
# shellcheck shell=bash
# The pack itself (alert rules, dashboard, the template of prometheus.yml) is in monitoring/.
# The daemons run as PG_OS_USER when gw runs as root (the postgres exporter must reach the
# stack's PostgreSQL socket, which only that user can), with an environment of their own, and
# keep their state in MON_DIR beside the PostgreSQL dir (var/monitoring, or the fallback dir
# choose_pg_dir picked when that user cannot reach var/). The ports are in set_layout.

# shellcheck disable=SC2034  # read by ./gw (cmd_up); shellcheck checks one file at a time
MONITORING_PACKAGES=(prometheus prometheus-nginx-exporter prometheus-postgres-exporter prometheus-node-exporter)
MONITORING_DAEMONS=(node-exporter postgres-exporter nginx-exporter prometheus)   # start order
DB_MONITOR_ROLE=gw_monitor   # the postgres exporter's login: a member of pg_monitor, nothing more

monitoring_paths() { MON_DIR=$(dirname "$PG_DIR")/monitoring; }   # after choose_pg_dir

# monitoring_running: whether any of the daemons `up --with-monitoring` started is alive
monitoring_running() {
  local d
  for d in "${MONITORING_DAEMONS[@]}"; do
    pid_alive "$(pidfile_pid "$RUN_DIR/$d.pid")" prometheus && return 0
  done
  return 1
}

# render_prometheus_config <dir>: prometheus.yml from monitoring/prometheus.yml.in for this
# stack, with alerts.yml and the gateway's CA certificate (when there is one to verify with)
# beside it, into <dir>. The ctest monitoring_prometheus_config renders through this too.
render_prometheus_config() {
  local dir=$1 host=127.0.0.1 tls p
  for p in "$HTTPS_PORT" "$PROMETHEUS_PORT" "$NGINX_EXPORTER_PORT" "$POSTGRES_EXPORTER_PORT" "$NODE_EXPORTER_PORT" "$NGINX_STATUS_PORT"; do
    [[ $p =~ ^[1-9][0-9]{0,4}$ ]] || die "monitoring: '$p' is not a port (GW_*_PORT)"
  done
  # nginx listens on LISTEN_ADDR; /metrics admits loopback, so scrape through 127.0.0.1 when we can
  case $LISTEN_ADDR in 0.0.0.0|::|'[::]'|127.*|localhost) ;; *) host=$LISTEN_ADDR ;; esac
  mkdir -p "$dir"
  rm -f "$dir/gateway-ca.pem"
  if [[ -n ${GW_MONITORING_CA_FILE:-} ]]; then
    [[ -r $GW_MONITORING_CA_FILE ]] || die "cannot read GW_MONITORING_CA_FILE=$GW_MONITORING_CA_FILE"
    install -m 0644 "$GW_MONITORING_CA_FILE" "$dir/gateway-ca.pem"
    tls="{ca_file: gateway-ca.pem${GW_MONITORING_SERVER_NAME:+, server_name: \"$GW_MONITORING_SERVER_NAME\"}}"
  elif [[ $TLS_CERT == "$TLS_DIR/cert.pem" ]]; then   # ./gw's self-signed one: its own CA, names IP:127.0.0.1
    install -m 0644 "$TLS_CERT" "$dir/gateway-ca.pem"
    tls="{ca_file: gateway-ca.pem}"
  else
    tls="{insecure_skip_verify: true}   # GW_TLS_CERT does not name $host; loopback only"
  fi
  local -a subst=(
    GATEWAY_TLS_CONFIG "$tls"
    GATEWAY_TARGET "$host:$HTTPS_PORT"
    NGINX_EXPORTER_TARGET "127.0.0.1:$NGINX_EXPORTER_PORT"
    POSTGRES_EXPORTER_TARGET "127.0.0.1:$POSTGRES_EXPORTER_PORT"
    NODE_EXPORTER_TARGET "127.0.0.1:$NODE_EXPORTER_PORT"
    PROMETHEUS_TARGET "127.0.0.1:$PROMETHEUS_PORT"
  )
  local -a sedargs=() i
  for (( i = 0; i < ${#subst[@]}; i += 2 )); do
    sedargs+=(-e "s|@${subst[i]}@|$(sed_escape "${subst[i+1]}")|g")
  done
  sed "${sedargs[@]}" "$REPO/monitoring/prometheus.yml.in" >"$dir/prometheus.yml"
  if grep -nE '@[A-Z_]+@' "$dir/prometheus.yml" >&2; then die "unreplaced placeholders in $dir/prometheus.yml (see above)"; fi
  install -m 0644 "$REPO/monitoring/alerts.yml" "$dir/alerts.yml"
  chmod 0644 "$dir/prometheus.yml"
}

# monitoring_db_role: the postgres exporter's own role (pg_monitor: statistics, no data)
monitoring_db_role() {
  gen_secret "$SECRETS_DIR/pg_monitor_password" 24
  if [[ -z $(psql_super -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_MONITOR_ROLE'" </dev/null) ]]; then
    say "creating database role $DB_MONITOR_ROLE (member of pg_monitor, for the postgres exporter)"
    psql_super -c "CREATE ROLE $DB_MONITOR_ROLE LOGIN IN ROLE pg_monitor" </dev/null || die "CREATE ROLE $DB_MONITOR_ROLE failed"
  fi
  printf "ALTER ROLE %s WITH LOGIN PASSWORD '%s';\n" "$DB_MONITOR_ROLE" "$(cat "$SECRETS_DIR/pg_monitor_password")" \
    | psql_super >/dev/null || die "ALTER ROLE $DB_MONITOR_ROLE failed"
}

# monitoring_daemon <name> <ready path> <port> <program> [args...]: start one daemon (pid file
# RUN_DIR/<name>.pid, log LOG_DIR/<name>.log) unless it already runs with these arguments, and
# wait until http://127.0.0.1:<port><ready path> answers 200. MON_ENV: extra environment.
monitoring_daemon() {
  local name=$1 ready=$2 port=$3; shift 3
  local pidfile=$RUN_DIR/$name.pid log=$LOG_DIR/$name.log pid
  pid=$(pidfile_pid "$pidfile")
  if pid_alive "$pid" "$1"; then
    if cmp -s <(printf '%s\0' "$@") "/proc/$pid/cmdline"; then
      say "$name already running (pid $pid)"
      return 0
    fi
    say "$name's settings changed: restarting it"
    stop_pid "$name" "$pid" TERM "$1"
  fi
  rm -f "$pidfile"
  say "starting $name (127.0.0.1:$port)"
  (
    cd / || exit 1
    # only what the daemon needs: not gw's environment (FILEBASE_* secrets and the like)
    # shellcheck disable=SC2163  # un-export the variable named by v
    for v in $(compgen -e); do export -n "$v" 2>/dev/null || true; done
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
    (( ${#MON_ENV[@]} )) && export "${MON_ENV[@]}"
    # setsid: own session; setpriv execs (no fork), so $! is the daemon's pid
    if (( IS_ROOT )); then
      exec setsid setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@"
    fi
    exec setsid "$@"
  ) </dev/null >>"$log" 2>&1 &
  echo $! >"$pidfile"
  pid=$(pidfile_pid "$pidfile")
  local t=$(( START_TIMEOUT * 10 )) code=000
  while (( t-- > 0 )); do
    # liveness only: the subshell has not necessarily exec'd the daemon yet (its command line
    # is still gw's); the daemon's own answer below is what counts
    proc_live "$pid" || { sleep 0.3; show_tail "$log"; die "$name exited during startup (port 127.0.0.1:$port taken?)"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$ready" 2>/dev/null || true)
    [[ $code == 200 ]] && pid_alive "$pid" "$1" && return 0
    sleep 0.1
  done
  show_tail "$log"
  die "$name did not answer http://127.0.0.1:$port$ready within ${START_TIMEOUT}s (last status: $code)"
}

# monitoring_start: after start_stack (PostgreSQL and nginx with stub_status are up)
monitoring_start() {
  monitoring_paths
  local owner=()
  (( IS_ROOT )) && owner=(-o "$PG_OS_USER" -g "$PG_OS_USER")
  install -d -m 0755 "${owner[@]}" "$MON_DIR"
  install -d -m 0750 "${owner[@]}" "$MON_DIR/data"
  monitoring_db_role

  # the configuration: rendered anew, swapped in only when it changed, checked by promtool
  local conf=$MON_DIR/config new=$MON_DIR/config.new changed=1
  rm -rf "$new"
  render_prometheus_config "$new"
  if [[ -d $conf ]] && diff -r -q "$conf" "$new" >/dev/null 2>&1; then
    changed=0; rm -rf "$new"
  else
    promtool check config "$new/prometheus.yml" >"$LOG_DIR/promtool.out" 2>&1 \
      || { cat "$LOG_DIR/promtool.out" >&2; rm -rf "$new"; die "rendered Prometheus config is invalid (promtool check config)"; }
    rm -rf "$conf"; mv "$new" "$conf"
  fi

  local -a MON_ENV=()
  monitoring_daemon node-exporter /metrics "$NODE_EXPORTER_PORT" \
    "$(command -v prometheus-node-exporter)" --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
    --no-collector.systemd   # gw's stack runs outside systemd
  # lib/pq key=value: host is the socket directory; the password travels in the environment only
  MON_ENV=("DATA_SOURCE_NAME=host=$PG_SOCK port=$PG_PORT dbname=postgres user=$DB_MONITOR_ROLE password=$(cat "$SECRETS_DIR/pg_monitor_password") sslmode=disable")
  monitoring_daemon postgres-exporter /metrics "$POSTGRES_EXPORTER_PORT" \
    "$(command -v prometheus-postgres-exporter)" --web.listen-address="127.0.0.1:$POSTGRES_EXPORTER_PORT"
  MON_ENV=()
  monitoring_daemon nginx-exporter /metrics "$NGINX_EXPORTER_PORT" \
    "$(command -v prometheus-nginx-exporter)" -nginx.scrape-uri="http://127.0.0.1:$NGINX_STATUS_PORT/stub_status" \
    -nginx.retries=10 -web.listen-address="127.0.0.1:$NGINX_EXPORTER_PORT"
  local prom_pid; prom_pid=$(pidfile_pid "$RUN_DIR/prometheus.pid")
  monitoring_daemon prometheus /-/ready "$PROMETHEUS_PORT" \
    "$(command -v prometheus)" --config.file="$conf/prometheus.yml" --storage.tsdb.path="$MON_DIR/data" \
    --storage.tsdb.retention.time="${GW_PROMETHEUS_RETENTION:-15d}" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  if (( changed )) && [[ $(pidfile_pid "$RUN_DIR/prometheus.pid") == "$prom_pid" ]] && pid_alive "$prom_pid" prometheus; then
    say "Prometheus config changed: reloading prometheus (pid $prom_pid)"
    kill -HUP "$prom_pid"
  fi
  # the exporter connects on its first scrapes: give it a few
  local t=10
  until curl -s --max-time 5 "http://127.0.0.1:$POSTGRES_EXPORTER_PORT/metrics" 2>/dev/null | grep -q '^pg_up 1'; do
    if (( --t == 0 )); then
      warn "the postgres exporter cannot reach PostgreSQL (pg_up is not 1): see $LOG_DIR/postgres-exporter.log"
      break
    fi
    sleep 0.5
  done
}

monitoring_urls() {
  say "monitoring (loopback only; alert rules and dashboard in monitoring/, see monitoring/README.md):"
  say "  Prometheus         http://127.0.0.1:$PROMETHEUS_PORT/   (/alerts, /targets)"
  say "  app metrics        https://127.0.0.1:$HTTPS_PORT/metrics (through nginx)"
  say "  node exporter      http://127.0.0.1:$NODE_EXPORTER_PORT/metrics"
  say "  postgres exporter  http://127.0.0.1:$POSTGRES_EXPORTER_PORT/metrics"
  say "  nginx exporter     http://127.0.0.1:$NGINX_EXPORTER_PORT/metrics (stub_status: http://127.0.0.1:$NGINX_STATUS_PORT/stub_status)"
}

monitoring_stop() {
  local i d pid
  for (( i = ${#MONITORING_DAEMONS[@]} - 1; i >= 0; i-- )); do
    d=${MONITORING_DAEMONS[i]}
    pid=$(pidfile_pid "$RUN_DIR/$d.pid")
    [[ -n $pid ]] && stop_pid "$d" "$pid" TERM prometheus
    rm -f "$RUN_DIR/$d.pid"
  done
}

# monitoring_status: one status line per daemon, or one saying monitoring is off
monitoring_status() {
  local d pid port any=0
  for d in "${MONITORING_DAEMONS[@]}"; do [[ -f $RUN_DIR/$d.pid ]] && any=1; done
  if (( ! any )); then status_line monitoring off "(./gw up --with-monitoring)"; return 0; fi
  for d in "${MONITORING_DAEMONS[@]}"; do
    case $d in
      prometheus) port=$PROMETHEUS_PORT ;;
      node-exporter) port=$NODE_EXPORTER_PORT ;;
      postgres-exporter) port=$POSTGRES_EXPORTER_PORT ;;
      nginx-exporter) port=$NGINX_EXPORTER_PORT ;;
    esac
    pid=$(pidfile_pid "$RUN_DIR/$d.pid")
    if pid_alive "$pid" prometheus; then status_line "$d" running "pid $pid, http://127.0.0.1:$port/"
    else status_line "$d" stopped ""; fi
  done
}

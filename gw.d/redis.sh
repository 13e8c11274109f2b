# gw.d/redis.sh: an optional local redis-server, the rate-limit store that app hosts share
# (`./gw up --with-redis`); `./gw test` starts a throwaway one for the Redis tests.
# shellcheck shell=bash

# It runs as the PostgreSQL OS user when we are root (Redis warns against root), listens on a
# unix socket only (mode 0700: that user and root), and keeps nothing on disk: every key it
# holds expires by itself, and a restart only refills the buckets.
REDIS_OS_USER=${GW_REDIS_OS_USER:-$PG_OS_USER}

# redis_paths: next to the stack's PostgreSQL directory (choose_pg_dir made sure the unprivileged
# user can reach it and that a socket path there is short enough).
# shellcheck disable=SC2034  # REDIS_URL is read by ./gw and gw.d/test.sh
redis_paths() {
  REDIS_DIR=$(dirname "$PG_DIR")/redis
  REDIS_SOCK=$REDIS_DIR/redis.sock
  REDIS_PID_FILE=$REDIS_DIR/redis.pid
  REDIS_LOG=$REDIS_DIR/redis.log
  REDIS_URL=redis+unix://$REDIS_SOCK
}

as_redis() {  # run a command as the Redis OS user, from / (its cwd may be unreachable)
  if (( IS_ROOT )); then (cd / && runuser -u "$REDIS_OS_USER" -- "$@"); else (cd / && "$@"); fi
}

redis_pid() { redis_paths; pidfile_pid "$REDIS_PID_FILE"; }
redis_running() { pid_alive "$(redis_pid)" redis-server; }

redis_answers() { [[ $(as_redis redis-cli -s "$REDIS_SOCK" ping 2>/dev/null) == PONG ]]; }

redis_start() {
  redis_paths
  if redis_running && redis_answers; then say "redis-server already running (pid $(redis_pid))"; return 0; fi
  redis_stop   # a stale pid file, or a server that does not answer
  if (( IS_ROOT )); then
    id "$REDIS_OS_USER" >/dev/null 2>&1 || ensure_pg_user
  fi
  mkdir -p "$REDIS_DIR"
  (( IS_ROOT )) && chown "$REDIS_OS_USER:" "$REDIS_DIR"
  chmod 0700 "$REDIS_DIR"
  {
    echo "# written by ./gw; do not edit (re-generated on every start)"
    echo "# the rate-limit store: a unix socket only, nothing persisted (every key expires by itself)"
    echo "port 0"
    echo "bind 127.0.0.1"
    echo "protected-mode yes"
    echo "unixsocket $REDIS_SOCK"
    echo "unixsocketperm 700"
    echo "daemonize yes"
    echo "pidfile $REDIS_PID_FILE"
    echo "logfile $REDIS_LOG"
    echo "dir $REDIS_DIR"
    echo 'save ""'
    echo "appendonly no"
    echo "maxmemory ${GW_REDIS_MAXMEMORY:-64mb}"
    echo "maxmemory-policy volatile-ttl"   # when full, drop the buckets closest to full anyway
  } | as_redis tee "$REDIS_DIR/redis.conf" >/dev/null
  say "starting redis-server (socket $REDIS_SOCK)"
  as_redis redis-server "$REDIS_DIR/redis.conf" </dev/null >/dev/null 2>&1 \
    || { show_tail "$REDIS_LOG"; die "redis-server failed to start"; }
  local t=$(( START_TIMEOUT * 10 ))
  while (( t-- > 0 )); do
    redis_answers && return 0
    sleep 0.1
  done
  show_tail "$REDIS_LOG"
  die "redis-server did not answer on $REDIS_SOCK within ${START_TIMEOUT}s"
}

redis_stop() {
  local pid
  redis_paths
  pid=$(redis_pid)
  [[ -n $pid ]] && stop_pid redis-server "$pid" TERM redis-server
  rm -f "$REDIS_PID_FILE"
}

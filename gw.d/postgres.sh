# gw.d/postgres.sh: the stack's own PostgreSQL cluster: where it lives, init, start/stop, database and role.
# shellcheck shell=bash

PG_OS_USER=${GW_PG_OS_USER:-ipfsgw}     # unprivileged OS user for PostgreSQL when we are root
DB_NAME=ipfs_gateway                    # application database
DB_APP_ROLE=ipfs_gateway                # application role (owner of DB_NAME, not superuser)
DB_SUPER_ROLE=postgres                  # cluster superuser (setup + tests only)

pg_bin_dir() {
  if [[ -n ${GW_PG_BIN:-} ]]; then echo "$GW_PG_BIN"; return; fi
  local d dirs=(/usr/lib/postgresql/*/bin)
  # the newest installed major version (the glob stays literal when none is installed)
  d=$(printf '%s\n' "${dirs[@]}" | sort -V | tail -n1)
  [[ -n $d && -x $d/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (set GW_PG_BIN)"
  echo "$d"
}

# Derived paths; call after PG_DIR is final.
pg_paths() {
  PG_DATA=$PG_DIR/data
  PG_SOCK=$PG_DIR/sock
  PG_LOG=$PG_DIR/postgres.log
}

# PostgreSQL runs as PG_OS_USER when we are root; that user must be able to
# reach the data dir. If it cannot (e.g. the clone is under a 0700 /root), or the
# socket path would exceed the 107-byte unix socket limit, use the fallback dir.
# (Persistent stack only: the test stack's temp dir is made reachable on purpose.)
choose_pg_dir() {  # choose_pg_dir [say]: with "say", tell when the fallback dir is used
  local sockpath=$VAR_DIR/pg/sock/.s.PGSQL.$PG_PORT
  local reason=""
  if (( ${#sockpath} > 100 )); then
    reason="socket path $sockpath is too long for a unix socket"
  elif (( IS_ROOT )) && id "$PG_OS_USER" >/dev/null 2>&1 && [[ -d $VAR_DIR ]] \
       && ! (cd / && runuser -u "$PG_OS_USER" -- test -x "$VAR_DIR") 2>/dev/null; then
    reason="user $PG_OS_USER cannot traverse to $VAR_DIR"
  fi
  [[ -n $reason ]] || return 0
  PG_DIR=/var/tmp/ipfs-gateway-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)/pg
  pg_paths
  if [[ ${1:-} == say ]]; then say "NOTE: PostgreSQL data lives in $PG_DIR ($reason)"; fi
}

as_pg() {  # run a command as the PostgreSQL OS user, from / (its cwd may be unreachable)
  if (( IS_ROOT )); then (cd / && runuser -u "$PG_OS_USER" -- "$@"); else (cd / && "$@"); fi
}
ensure_pg_user() {
  (( IS_ROOT )) || return 0
  id "$PG_OS_USER" >/dev/null 2>&1 && return 0
  say "creating system user $PG_OS_USER (PostgreSQL refuses to run as root)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER" \
    || die "useradd $PG_OS_USER failed"
}
pg_running() { [[ -f $PG_DATA/PG_VERSION ]] && as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
pg_pid() { pidfile_pid "$PG_DATA/postmaster.pid"; }

pg_init() {
  ensure_pg_user
  mkdir -p "$PG_DIR"
  (( IS_ROOT )) && chown "$PG_OS_USER:" "$PG_DIR"
  chmod 0700 "$PG_DIR"
  as_pg test -w "$PG_DIR" || die "PostgreSQL user cannot write $PG_DIR"
  as_pg mkdir -p "$PG_SOCK"
  as_pg chmod 0700 "$PG_SOCK"
  gen_secret "$SECRETS_DIR/pg_superuser_password" 24
  if [[ ! -s $PG_DATA/PG_VERSION ]]; then
    say "initialising PostgreSQL cluster in $PG_DATA"
    local pwfile=$PG_DIR/.initdb-pw
    install -m 0600 /dev/null "$pwfile"
    cat "$SECRETS_DIR/pg_superuser_password" >"$pwfile"
    (( IS_ROOT )) && chown "$PG_OS_USER:" "$pwfile"
    if ! as_pg "$PGBIN/initdb" -D "$PG_DATA" -U "$DB_SUPER_ROLE" --pwfile="$pwfile" \
         --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1; then
      rm -f "$pwfile"; show_tail "$PG_DIR/initdb.log"; die "initdb failed"
    fi
    rm -f "$pwfile"
    echo "include_if_exists = 'gw.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
  fi
  # Settings owned by gw (rewritten every start): unix socket only, no TCP.
  {
    echo "# written by ./gw; do not edit (re-generated on every start)"
    echo "listen_addresses = ''"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$PG_SOCK'"
    echo "unix_socket_permissions = 0700"
    echo "password_encryption = 'scram-sha-256'"
    echo "max_connections = ${GW_PG_MAX_CONNECTIONS:-200}"
    # GW_PG_DURABLE=1 keeps production's durability in a throwaway cluster (./gw bench does)
    if (( TEST_MODE )) && [[ ${GW_PG_DURABLE:-0} != 1 ]]; then
      echo "# throwaway test cluster: durability off for speed"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } | as_pg tee "$PG_DATA/gw.conf" >/dev/null
}

pg_start() {
  if pg_running; then say "PostgreSQL already running (pid $(pg_pid))"; return 0; fi
  say "starting PostgreSQL (socket $PG_SOCK, port $PG_PORT)"
  if ! as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
    show_tail "$PG_LOG"; die "PostgreSQL failed to start"
  fi
}

pg_stop() {
  [[ -f $PG_DATA/PG_VERSION ]] || return 0
  pg_running || return 0
  say "stopping PostgreSQL (pid $(pg_pid))"
  as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 \
    || { show_tail "$PG_LOG"; warn "PostgreSQL did not stop cleanly"; return 1; }
}

psql_super() {  # psql as the cluster superuser; SQL on stdin or -c
  PGPASSWORD=$(cat "$SECRETS_DIR/pg_superuser_password") \
    "$PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_SUPER_ROLE" -d postgres "$@"
}

db_setup() {
  gen_secret "$SECRETS_DIR/db_password" 24
  local pw; pw=$(cat "$SECRETS_DIR/db_password")
  # Role: created once; password re-set every time so it always matches the secret file.
  if [[ -z $(psql_super -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_APP_ROLE'" </dev/null) ]]; then
    say "creating database role $DB_APP_ROLE"
    psql_super -c "CREATE ROLE $DB_APP_ROLE LOGIN" </dev/null || die "CREATE ROLE failed"
  fi
  # password via stdin, not argv (argv is visible in ps)
  printf "ALTER ROLE %s WITH LOGIN PASSWORD '%s';\n" "$DB_APP_ROLE" "$pw" | psql_super >/dev/null \
    || die "ALTER ROLE failed"
  if [[ -z $(psql_super -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" </dev/null) ]]; then
    say "creating database $DB_NAME"
    psql_super -c "CREATE DATABASE $DB_NAME OWNER $DB_APP_ROLE" </dev/null || die "CREATE DATABASE failed"
  fi
}

app_dsn() { echo "postgresql://$DB_APP_ROLE:$(cat "$SECRETS_DIR/db_password")@/$DB_NAME?host=$PG_SOCK&port=$PG_PORT"; }
super_dsn() { echo "postgresql://$DB_SUPER_ROLE:$(cat "$SECRETS_DIR/pg_superuser_password")@/postgres?host=$PG_SOCK&port=$PG_PORT"; }

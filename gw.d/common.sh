# gw.d/common.sh: what every part of ./gw uses: messages, packages, process helpers, secrets, stack layout.
# shellcheck shell=bash
# The parts in gw.d/ are sourced by ./gw, which sets the shell options and the cwd (REPO);
# they only define constants and functions.

# ----------------------------------------------------------------------------
# constants / defaults
# ----------------------------------------------------------------------------
APT_PACKAGES=(build-essential cmake pkg-config libfcgi-dev libpqxx-dev libpq-dev
  libcurl4-openssl-dev libssl-dev libpoco-dev libspdlog-dev nlohmann-json3-dev
  libargon2-dev libmagic-dev libgtest-dev libgmock-dev libbenchmark-dev
  nginx-light postgresql openssl wrk curl iproute2 jq clang-format shellcheck
  python3-botocore   # AWS's own signer, to check the Filebase double and the presigner
  prometheus-cpp-dev libbsd-dev   # metric types + text format; setproctitle for process titles
  redis-server prometheus         # the shared rate-limit store; promtool checks /metrics and the rules
  pandoc python3-requests chromium   # the docs site (guides to HTML); the Python example; the docs' browser test
  acl)                              # setfacl: lets the service user through a checkout's 0700 parents

# shellcheck disable=SC2034  # read by the other parts; shellcheck checks one file at a time
START_TIMEOUT=${GW_START_TIMEOUT:-30}   # seconds to wait for a component to come up
STOP_TIMEOUT=${GW_STOP_TIMEOUT:-30}     # seconds to wait for a component to exit
IS_ROOT=0; [[ $(id -u) -eq 0 ]] && IS_ROOT=1

# ----------------------------------------------------------------------------
# messages
# ----------------------------------------------------------------------------
say()  { printf 'gw: %s\n' "$*"; }
warn() { printf 'gw: WARNING: %s\n' "$*" >&2; }
die()  { printf 'gw: ERROR: %s\n' "$*" >&2; exit 1; }
# show the last lines of a log file on stderr (used before dying)
show_tail() {
  local f=$1 n=${2:-40}
  if [[ -f $f ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf -- '----- end of %s -----\n' "$f" >&2
  else
    printf 'gw: (log %s does not exist)\n' "$f" >&2
  fi
}

# ----------------------------------------------------------------------------
# packages
# ----------------------------------------------------------------------------
ensure_packages() {  # ensure_packages [pkg...]: the given Debian packages (default: APT_PACKAGES)
  local missing=() p
  local -a wanted=("$@")
  (( ${#wanted[@]} )) || wanted=("${APT_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  (( ${#missing[@]} == 0 )) && return 0
  say "installing missing Debian packages: ${missing[*]}"
  local -a SUDO=()
  if (( ! IS_ROOT )); then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available: install as root: apt-get install ${missing[*]}"
    sudo -n true 2>/dev/null || die "sudo needs a password (no prompts here): run 'sudo apt-get install ${missing[*]}' yourself, then re-run"
    SUDO=(sudo -n)
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
    || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null \
    || die "apt-get install failed for: ${missing[*]}"
  # Debian's nginx package starts a system nginx on port 80; it is not ours and we leave it alone.
}

# ----------------------------------------------------------------------------
# process helpers (pid files; never kill by name)
# ----------------------------------------------------------------------------
# pid_alive <pid> <cmdline-substring>: running and really the expected program
# proc_live <pid>: exists and is not a zombie (kill -0 succeeds on zombies, e.g.
# a daemonised nginx/postgres whose reaper in a container never calls wait()).
proc_live() {
  local st
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  st=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && ${st:0:1} != Z && ${st:0:1} != X ]]
}
pid_alive() {
  local pid=$1 pat=$2
  proc_live "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pat"
}
pidfile_pid() {  # the pid in a pid file; empty when there is none
  if [[ -f $1 ]]; then head -n1 "$1" 2>/dev/null | tr -dc '0-9' || true; fi
}
wait_exit() {  # wait_exit <pid> <seconds>
  local pid=$1 t=$(( $2 * 10 ))
  while proc_live "$pid" && (( t-- > 0 )); do sleep 0.1; done
  ! proc_live "$pid"
}
stop_pid() {  # stop_pid <name> <pid> <signal> <pattern> [timeout]
  local name=$1 pid=$2 sig=$3 pat=$4 timeout=${5:-$STOP_TIMEOUT}
  pid_alive "$pid" "$pat" || return 0
  say "stopping $name (pid $pid, SIG$sig)"
  kill "-$sig" "$pid" 2>/dev/null || true
  if ! wait_exit "$pid" "$timeout"; then
    warn "$name (pid $pid) did not exit within ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" 5 || warn "$name (pid $pid) still alive"
  fi
}

# ----------------------------------------------------------------------------
# secrets
# ----------------------------------------------------------------------------
gen_secret() {  # gen_secret <file> <bytes>: create once, mode 0600, hex
  local f=$1 n=$2
  [[ -s $f ]] && return 0
  # the directory: no access for others; its group may keep x (svc_prepare gives the service user's
  # group a way to the pepper, never a listing)
  mkdir -p "$(dirname "$f")"; chmod u=rwx,g-rw,o-rwx "$(dirname "$f")"
  ( umask 077; openssl rand -hex "$n" >"$f.tmp" && mv "$f.tmp" "$f" ) || die "cannot write $f"
  chmod 0600 "$f"
}

# ----------------------------------------------------------------------------
# the service user: who every process that serves requests runs as
# ----------------------------------------------------------------------------
# When ./gw runs as root (CI does), nothing it starts to serve requests stays root: the app (its
# supervisor, FastCGI workers and job workers), nginx's workers, the test stacks' second nginx and
# app "hosts", the Filebase double and redis-server run as PG_OS_USER (gw.d/postgres.sh: `ipfsgw`,
# a system user without a shell or home, created on first use), the user PostgreSQL already runs
# as. Only the nginx masters stay root: they read the TLS key (root's, mode 0600) and may bind
# ports below 1024; their workers take the service user (`user` in nginx.conf). When ./gw runs as
# a normal user, everything runs as that user. SVC_USER is empty then; svc_prepare sets it.
# SVC_RUN: the prefix that runs a command as SVC_USER (empty: as ourselves). setpriv execs (no
# fork), so `setsid "${SVC_RUN[@]}" cmd &` leaves the command's own pid in $!.
SVC_USER=""
SVC_RUN=()
as_svc() { "${SVC_RUN[@]}" "$@"; }
# svc_own <path...>: the paths (and all below them) owned by the service user; only what is not
# already is changed (a persistent stack started as root before gw did this gets its files back)
svc_own() {
  [[ -n $SVC_USER ]] || return 0
  local p
  for p in "$@"; do
    [[ -e $p ]] || continue
    # a GW_LOG_DIR/GW_STORE_DIR/GW_RUN_DIR set to a system directory must not hand it over
    case $(realpath -m "$p") in
      /|/bin|/boot|/dev|/etc|/home|/lib|/lib64|/opt|/proc|/root|/run|/sbin|/srv|/sys|/tmp|/usr|/usr/*|/var|/var/lib|/var/log|/var/tmp)
        die "refusing to give $p to $SVC_USER: use a directory of its own" ;;
    esac
    find "$p" \! -user "$SVC_USER" -exec chown -h "$SVC_USER:" {} + || die "cannot give $p to $SVC_USER"
  done
}
# svc_can_reach_checkout: whether PG_OS_USER can run the binary and read the migrations and web/
svc_can_reach_checkout() {
  # shellcheck disable=SC2016  # $1.. expand in the inner shell
  (cd / && setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- \
    sh -c 'test -x "$1" && test -r "$2" && test -x "$2" && test -x "$3"' sh "$BIN" "$MIGRATIONS_DIR" "$REPO/web") 2>/dev/null
}
# svc_grant_traverse: a checkout under a 0700 directory (/root, a home): give PG_OS_USER search
# permission (x, never read: it cannot list them) on each parent it cannot pass, by an ACL entry
# for that user alone, so that the services need not fall back to root. Said, not silent.
svc_grant_traverse() {
  local dir=$REPO i
  local -a parents=()
  command -v setfacl >/dev/null 2>&1 || return 0
  while [[ $dir != / ]]; do dir=$(dirname "$dir"); parents+=("$dir"); done
  # from / down: a directory's own x is judged once the user can reach it
  for (( i = ${#parents[@]} - 1; i >= 0; i-- )); do
    dir=${parents[i]}
    if ! setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- test -x "$dir" 2>/dev/null; then
      say "letting $PG_OS_USER through $dir (ACL u:$PG_OS_USER:x, no listing): the services run as $PG_OS_USER"
      setfacl -m "u:$PG_OS_USER:x" "$dir" || warn "setfacl on $dir failed"
    fi
  done
}
# svc_prepare: as root, choose the service user (when it can reach the binary, the migrations and
# web/: a checkout under a 0700 /root cannot be run by it, and then the services stay root, with a
# warning) and give it what the app and nginx's workers write: logs, run dir (pid files, socket),
# store (with nginx's upload spool), nginx's temp and cache dirs, and the pepper (mode 0600, the
# app reads it; the secrets dir lets its group through, lists nothing).
svc_prepare() {
  SVC_USER="" SVC_RUN=()
  (( IS_ROOT )) || return 0
  ensure_pg_user
  svc_can_reach_checkout || svc_grant_traverse
  if ! svc_can_reach_checkout; then
    warn "user $PG_OS_USER cannot reach $BIN, $MIGRATIONS_DIR or $REPO/web: the app and nginx's workers run as ROOT"
    warn "(put the checkout where $PG_OS_USER can read it, e.g. under /opt or /srv, or run ./gw as a normal user)"
    return 0
  fi
  SVC_USER=$PG_OS_USER
  SVC_RUN=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups --)
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$STORE_DIR/.upload-tmp" "$NGINX_DIR/tmp"
  svc_own "$LOG_DIR" "$RUN_DIR" "$STORE_DIR" "$NGINX_DIR/tmp" "$NGINX_DIR/cache"
  if [[ -f $SECRETS_DIR/key_pepper ]]; then
    chown "$SVC_USER:" "$SECRETS_DIR/key_pepper"
    chmod 0600 "$SECRETS_DIR/key_pepper"
    chgrp "$SVC_USER" "$SECRETS_DIR"
    chmod 0710 "$SECRETS_DIR"
  fi
}

# ----------------------------------------------------------------------------
# stack layout: every path and port of a stack, set in one place.
# ----------------------------------------------------------------------------
# var/stack.env remembers the ports of the last `up`, so that status/down/logs
# find the stack without the same environment. Explicit env vars still win.
load_stack_env() {
  local f=$REPO/var/stack.env k v
  [[ -f $f ]] || return 0
  while IFS='=' read -r k v; do
    case $k in
      GW_*_PORT|GW_LISTEN_ADDR|GW_TLS_CERT|GW_TLS_KEY)   # the stack's and monitoring's ports
        if [[ -z ${!k:-} ]]; then printf -v "$k" '%s' "$v"; fi ;;
    esac
  done <"$f"
}
save_stack_env() {
  {
    echo "# written by ./gw up: settings of the running stack (env vars override)"
    echo "GW_HTTPS_PORT=$HTTPS_PORT"
    echo "GW_HTTP_PORT=$HTTP_PORT"
    echo "GW_PG_PORT=$PG_PORT"
    echo "GW_LISTEN_ADDR=$LISTEN_ADDR"
    if [[ -n ${GW_TLS_CERT:-} ]]; then echo "GW_TLS_CERT=$TLS_CERT"; echo "GW_TLS_KEY=$TLS_KEY"; fi
    if (( MONITORING )); then
      echo "GW_PROMETHEUS_PORT=$PROMETHEUS_PORT"
      echo "GW_NGINX_STATUS_PORT=$NGINX_STATUS_PORT"
      echo "GW_NGINX_EXPORTER_PORT=$NGINX_EXPORTER_PORT"
      echo "GW_POSTGRES_EXPORTER_PORT=$POSTGRES_EXPORTER_PORT"
      echo "GW_NODE_EXPORTER_PORT=$NODE_EXPORTER_PORT"
    fi
  } >"$VAR_DIR/stack.env"
}

# set_layout main | set_layout test <temp dir> <build dir>
# The persistent stack (`up`) lives in var/ and logs/, on fixed ports that the GW_* variables
# (and var/stack.env) override. `test` gets a throwaway stack rooted in <temp dir>, on free
# random ports on 127.0.0.1, and ignores those overrides: they describe the developer's own stack.
# shellcheck disable=SC2034  # the layout is read by the other parts; shellcheck checks one file at a time
set_layout() {
  local root logs build pg_port https_port http_port listen_addr
  if [[ $1 == test ]]; then
    # local (empty) copies hide the overrides from the assignments below, in this function only
    local GW_LOG_DIR="" GW_RUN_DIR="" GW_STORE_DIR="" GW_FCGI_SOCKET="" GW_MIGRATIONS_DIR="" \
      GW_BUILD_DIR="" GW_PG_PORT="" GW_HTTPS_PORT="" GW_HTTP_PORT="" GW_LISTEN_ADDR="" \
      GW_TLS_CERT="" GW_TLS_KEY="" GW_MAX_UPLOAD_BYTES="" GW_STORAGE="" GW_NGINX_STATUS_PORT=""
    TEST_MODE=1
    root=$2 logs=$2/logs build=$3 listen_addr=127.0.0.1
    pg_port=$(( 56000 + RANDOM % 1000 ))   # only names the socket (no TCP), in a private dir
    https_port=$(free_port)
    http_port=$(free_port "$https_port")
  else
    TEST_MODE=0
    load_stack_env
    root=$REPO/var logs=$REPO/logs build=$REPO/build listen_addr=0.0.0.0
    pg_port=55432 https_port=8443 http_port=8080
  fi
  VAR_DIR=$root
  LOG_DIR=${GW_LOG_DIR:-$logs}
  RUN_DIR=${GW_RUN_DIR:-$root/run}
  SECRETS_DIR=$root/secrets
  NGINX_DIR=$root/nginx
  TLS_DIR=$root/tls
  STORE_DIR=${GW_STORE_DIR:-$root/store}
  FCGI_SOCKET=${GW_FCGI_SOCKET:-$RUN_DIR/fcgi.sock}
  MIGRATIONS_DIR=${GW_MIGRATIONS_DIR:-$REPO/migrations}
  BUILD_DIR=${GW_BUILD_DIR:-$build}
  BIN=$BUILD_DIR/ipfs-gateway
  DOCS_SITE_DIR=$BUILD_DIR/docs-site   # the rendered docs nginx serves at /docs/ (gw.d/docs.sh)
  WEB_APP_DIR=$BUILD_DIR/web-app       # the web dashboard nginx serves at /app/ (gw.d/web.sh)
  PG_PORT=${GW_PG_PORT:-$pg_port}
  HTTPS_PORT=${GW_HTTPS_PORT:-$https_port}
  HTTP_PORT=${GW_HTTP_PORT:-$http_port}
  LISTEN_ADDR=${GW_LISTEN_ADDR:-$listen_addr}
  TLS_CERT=${GW_TLS_CERT:-}   # empty: ensure_cert makes a self-signed one in TLS_DIR
  TLS_KEY=${GW_TLS_KEY:-}
  STORAGE=${GW_STORAGE:-local}   # filebase: FILEBASE_* from the environment (see README)
  MAX_UPLOAD_BYTES=${GW_MAX_UPLOAD_BYTES:-104857600}   # the largest file; the app checks it too
  [[ $MAX_UPLOAD_BYTES =~ ^[1-9][0-9]{0,12}$ ]] || die "GW_MAX_UPLOAD_BYTES must be a positive number of bytes"
  ADMIN_KEY_FILE=$root/admin.key
  STACK_REDIS_URL=""          # the app's GW_RATE_LIMIT_REDIS_URL when the stack runs its redis-server
  NGINX_USER=""               # nginx workers: root when gw runs as root, else the invoking user
  PG_DIR=$root/pg             # the persistent stack's may be moved by choose_pg_dir
  # monitoring (`up --with-monitoring` sets MONITORING=1; never in a test stack): loopback ports,
  # away from the Debian exporters' own defaults (9090, 9100, 9113, 9187)
  MONITORING=0
  NGINX_STATUS_PORT=${GW_NGINX_STATUS_PORT:-19080}
  PROMETHEUS_PORT=${GW_PROMETHEUS_PORT:-19090}
  NODE_EXPORTER_PORT=${GW_NODE_EXPORTER_PORT:-19100}
  NGINX_EXPORTER_PORT=${GW_NGINX_EXPORTER_PORT:-19113}
  POSTGRES_EXPORTER_PORT=${GW_POSTGRES_EXPORTER_PORT:-19187}
  pg_paths
}

free_port() {  # a free TCP port not in $* (checked with ss -ltn)
  local used p i
  used=$(ss -ltnH 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for (( i = 0; i < 200; i++ )); do
    p=$(( 20000 + RANDOM % 30000 ))
    grep -qx "$p" <<<"$used" && continue
    [[ " $* " == *" $p "* ]] && continue
    echo "$p"; return 0
  done
  die "no free TCP port found"
}

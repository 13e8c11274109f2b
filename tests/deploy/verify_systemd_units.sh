#!/usr/bin/env bash
# ctest deploy_systemd_units (label docs): the systemd units in deploy/systemd/ are valid and
# agree with each other, with deploy/ipfs-gateway.env.example and with docs/guides/operations.md.
#  - `systemd-analyze verify` on all of them. verify refuses a unit whose ExecStart binary does
#    not exist, and the units name the installed path /opt/ipfs-gateway/build/ipfs-gateway, so
#    each unit is copied to a temp dir with /opt/ipfs-gateway/ replaced by a temp root that holds
#    a stand-in executable at build/ipfs-gateway (a two-line sh script that exits 0). A wrong
#    path in a unit still fails, since only that exact prefix is rewritten. Warnings (e.g. an
#    unknown key, which verify only prints) fail the test too.
#  - `systemd-analyze security --offline=true`: the hardening of the app's units does not regress.
#  - TimeoutStopSec of the pool exceeds GW_DRAIN_TIMEOUT_S + 5 (the supervisor's last resort),
#    KillMode=mixed, KillSignal=SIGTERM, ExecReload sends SIGHUP.
#  - the directories the units give the service are the ones the environment file names.
# Needs systemd-analyze (Debian's systemd package): without it the test fails, never skips.
# Ends with `N passed, M failed`.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
UNITS_DIR=deploy/systemd
ENV_EXAMPLE=deploy/ipfs-gateway.env.example
PREFIX=/opt/ipfs-gateway/
# exposure levels the units may not exceed, in tenths (systemd-analyze shows 0.0 best to 10.0
# worst; --threshold takes 0 to 100); nginx's master runs as root
APP_THRESHOLD=25
NGINX_THRESHOLD=65

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
not_ok() { echo "FAILED: $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; (( failed == 0 )); exit $?; }

if ! command -v systemd-analyze >/dev/null; then
  not_ok "systemd-analyze not found: apt-get install systemd"
  finish
fi

units=()
for f in "$UNITS_DIR"/*; do
  case $f in *.service|*.timer|*.socket|*.path|*.target) units+=("$f") ;; esac
done
if (( ${#units[@]} == 0 )); then not_ok "no units in $UNITS_DIR"; finish; fi

tmp=$(mktemp -d /tmp/gw-systemd-units.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/build" "$tmp/units"
printf '#!/bin/sh\nexit 0\n' >"$tmp/root/build/ipfs-gateway"
chmod 0755 "$tmp/root/build/ipfs-gateway"
for f in "${units[@]}"; do
  sed "s|$PREFIX|$tmp/root/|g" "$f" >"$tmp/units/${f##*/}"
done

# verify: exit status, and any line about one of our units (warnings do not change the status)
out=$(systemd-analyze verify --man=no "$tmp/units"/* 2>&1)
rc=$?
[[ -n $out ]] && printf '%s\n' "$out"
about_ours=""
for f in "${units[@]}"; do
  name=${f##*/}
  about_ours+=$(grep -F -e "$tmp/units/$name" -e "$name:" <<<"$out")
done
if (( rc != 0 )); then not_ok "systemd-analyze verify exited $rc"
elif [[ -n $about_ours ]]; then not_ok "systemd-analyze verify warns about the units (see above)"
else ok "systemd-analyze verify: ${units[*]##*/}"; fi

for f in "$tmp/units"/*.service; do
  name=${f##*/} threshold=$APP_THRESHOLD
  [[ $name == *nginx* ]] && threshold=$NGINX_THRESHOLD
  if out=$(systemd-analyze security --offline=true --threshold="$threshold" "$f" 2>&1); then
    ok "$name: exposure $(sed -n 's/^.*Overall exposure level for [^:]*: //p' <<<"$out") (at most $((threshold / 10)).$((threshold % 10)))"
  else
    printf '%s\n' "$out" | tail -n 25; not_ok "$name: exposure above $((threshold / 10)).$((threshold % 10))"
  fi
done

# key <file> <key>: the value of the last `key=` line of a unit or environment file
key() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

pool=$UNITS_DIR/ipfs-gateway.service
drain=$(key "$ENV_EXAMPLE" GW_DRAIN_TIMEOUT_S); drain=${drain:-30}
stop=$(key "$pool" TimeoutStopSec)
if [[ $stop =~ ^[0-9]+$ ]] && (( stop > drain + 5 )); then ok "TimeoutStopSec=$stop > GW_DRAIN_TIMEOUT_S ($drain) + 5"
else not_ok "TimeoutStopSec='$stop' of $pool must be a number of seconds above GW_DRAIN_TIMEOUT_S ($drain) + 5"; fi
expect_key() {  # expect_key <unit> <key> <value> <why>
  local value; value=$(key "$1" "$2")
  if [[ $value == "$3" ]]; then ok "${1##*/}: $2=$3"
  else not_ok "${1##*/}: $2='$value', expected '$3' ($4)"; fi
}
expect_key "$pool" KillMode mixed "SIGTERM to the supervisor only, which drains its children"
expect_key "$pool" KillSignal SIGTERM "the supervisor drains on SIGTERM"
# shellcheck disable=SC2016  # $MAINPID is systemd's, expanded by systemd
expect_key "$pool" ExecReload '/bin/kill -HUP $MAINPID' "SIGHUP replaces the workers gracefully"
expect_key "$pool" ExecStart "${PREFIX}build/ipfs-gateway serve" "the binary ./gw build makes"

# the environment file's paths are the ones the units let the service write, and nginx's unit
# runs the config deploy/render-nginx.sh writes
runtime=/run/$(key "$pool" RuntimeDirectory)
state=/var/lib/$(key "$pool" StateDirectory)
logs=/var/log/$(key "$pool" LogsDirectory)
check_path() {  # check_path <variable> <required value or prefix/>
  local value; value=$(key "$ENV_EXAMPLE" "$1")
  if [[ $value == "$2" || ( $2 == */ && $value == "$2"* ) ]]; then ok "$1=$value"
  else not_ok "$ENV_EXAMPLE: $1='$value' must be $2 (see $pool)"; fi
}
check_path GW_FCGI_SOCKET "$runtime/"
check_path GW_RUN_DIR "$runtime"
check_path GW_STORE_DIR "$state/"
check_path GW_LOG_DIR "$logs"
check_path GW_MIGRATIONS_DIR "${PREFIX}migrations"
nginx_unit=$UNITS_DIR/ipfs-gateway-nginx.service
nginx_dir=$(key "$ENV_EXAMPLE" GW_NGINX_DIR)
if grep -q -- "-p $nginx_dir/ -c $nginx_dir/conf/nginx.conf -e $logs/nginx-error.log" "$nginx_unit"; then
  ok "$nginx_unit runs the config in GW_NGINX_DIR=$nginx_dir"
else
  not_ok "$nginx_unit must run nginx -p $nginx_dir/ -c $nginx_dir/conf/nginx.conf -e $logs/nginx-error.log"
fi
if grep -q "NGINX_DIR=\${GW_NGINX_DIR:-$nginx_dir}" deploy/render-nginx.sh; then ok "deploy/render-nginx.sh defaults to $nginx_dir"
else not_ok "deploy/render-nginx.sh must default GW_NGINX_DIR to $nginx_dir"; fi

# least privilege: every service but nginx's runs as a user that is not root, and nginx's workers
# (GW_NGINX_USER, rendered into `user`) as that same user; nginx's master alone stays root
service_user=""
for f in "$UNITS_DIR"/*.service; do
  [[ $f == *nginx* ]] && continue
  user=$(sed -n 's/^User=//p' "$f" | tail -n1)
  if [[ -n $user && $user != root && $user != 0 ]]; then ok "${f##*/}: User=$user (not root)"
  else not_ok "${f##*/}: must run as a user that is not root (User='$user')"; fi
  service_user=${service_user:-$user}
done
nginx_user=$(sed -n 's/^GW_NGINX_USER=//p' "$ENV_EXAMPLE" | tail -n1)
if [[ -n $nginx_user && $nginx_user == "$service_user" ]]; then ok "nginx's workers run as $nginx_user, the pool's user"
else not_ok "$ENV_EXAMPLE: GW_NGINX_USER='$nginx_user' must be the pool's user '$service_user'"; fi

finish

#!/usr/bin/env bash
# ctest monitoring_prometheus_config: what `./gw up --with-monitoring` renders is valid.
#  - monitoring/prometheus.yml.in rendered by gw's own render_prometheus_config, for the
#    self-signed certificate (verified with it as CA), for GW_TLS_CERT (verification skipped)
#    and for GW_MONITORING_CA_FILE: `promtool check config` on each (it loads alerts.yml too);
#  - nginx/ rendered with monitoring on passes `nginx -t` and includes the stub_status server.
# Needs promtool (Debian's prometheus), nginx and openssl; starts nothing. Ends with
# `N passed, M failed`.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
# shellcheck source=gw.d/common.sh
source gw.d/common.sh
# shellcheck source=gw.d/postgres.sh
source gw.d/postgres.sh
# shellcheck source=gw.d/nginx.sh
source gw.d/nginx.sh
# shellcheck source=gw.d/monitoring.sh
source gw.d/monitoring.sh

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
not_ok() { echo "FAILED: $*"; failed=$((failed + 1)); }
command -v promtool >/dev/null || { echo "promtool not found: apt-get install prometheus"; echo "0 passed, 1 failed"; exit 1; }

tmp=$(mktemp -d /tmp/gw-monitoring-config.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
set_layout test "$tmp/stack" "$tmp/build"
# render_nginx includes the web dashboard's CSP map, which building the app writes (gw.d/web.sh);
# this test is about monitoring, so a map with only a default policy stands in for it
mkdir -p "$(dirname "$WEB_APP_DIR")"
cat >"$WEB_APP_DIR.csp.conf" <<'MAP'
map $uri $gw_app_csp { default "default-src 'none'"; }
MAP
ensure_cert >/dev/null   # the self-signed pair in TLS_DIR, as `up` makes it

# check_rendered <case> <grep pattern the tls_config must match>
check_rendered() {
  local dir=$tmp/$1 out
  if ! ( render_prometheus_config "$dir" ); then not_ok "$1: render_prometheus_config failed"; return; fi
  if out=$(promtool check config "$dir/prometheus.yml" 2>&1); then ok "$1: promtool check config"
  else printf '%s\n' "$out"; not_ok "$1: promtool check config"; fi
  if grep -qE "$2" "$dir/prometheus.yml"; then ok "$1: tls_config as expected"
  else grep -n tls_config "$dir/prometheus.yml"; not_ok "$1: tls_config does not match /$2/"; fi
  # promtool does not look for the files a tls_config names
  if grep -q 'ca_file: gateway-ca.pem' "$dir/prometheus.yml"; then
    if openssl x509 -noout -in "$dir/gateway-ca.pem" 2>/dev/null; then ok "$1: gateway-ca.pem is beside it"
    else not_ok "$1: ca_file gateway-ca.pem is missing or not a certificate"; fi
  fi
  if grep -q "targets: \[\"127.0.0.1:$HTTPS_PORT\"\]" "$dir/prometheus.yml"; then ok "$1: scrapes the app on 127.0.0.1:$HTTPS_PORT"
  else not_ok "$1: no app target 127.0.0.1:$HTTPS_PORT"; fi
}

check_rendered self-signed '^    tls_config: \{ca_file: gateway-ca.pem\}$'
(
  TLS_CERT=$tmp/own-cert.pem
  cp "$TLS_DIR/cert.pem" "$TLS_CERT"
  check_rendered own-cert '^    tls_config: \{insecure_skip_verify: true\}'
  echo "$passed $failed" >"$tmp/counts"
)
read -r passed failed <"$tmp/counts"
(
  export GW_MONITORING_CA_FILE=$TLS_DIR/cert.pem GW_MONITORING_SERVER_NAME=gw.example.com
  check_rendered ca-file '^    tls_config: \{ca_file: gateway-ca.pem, server_name: "gw.example.com"\}$'
  echo "$passed $failed" >"$tmp/counts"
)
read -r passed failed <"$tmp/counts"

# nginx with monitoring: the stub_status server is included and the whole config passes nginx -t
# (render_nginx runs it and dies on failure)
MONITORING=1
if ( render_nginx >"$tmp/render.out" 2>&1 ); then ok "nginx config with monitoring passes nginx -t"
else cat "$tmp/render.out"; not_ok "render_nginx with monitoring"; fi
if grep -q "include $NGINX_DIR/conf/snippets/stub-status.conf;" "$NGINX_DIR/conf/nginx.conf" \
   && grep -q "listen 127.0.0.1:$NGINX_STATUS_PORT;" "$NGINX_DIR/conf/snippets/stub-status.conf"; then
  ok "nginx includes stub_status on 127.0.0.1:$NGINX_STATUS_PORT"
else not_ok "stub_status server missing from the rendered nginx config"; fi
MONITORING=0
if ( render_nginx >"$tmp/render.out" 2>&1 ) && ! grep -q "include .*stub-status.conf" "$NGINX_DIR/conf/nginx.conf"; then
  ok "nginx without monitoring has no stub_status server"
else cat "$tmp/render.out"; not_ok "nginx without monitoring"; fi

echo "$passed passed, $failed failed"
(( failed == 0 ))

#!/usr/bin/env bash
# ctest deploy_render_nginx (label docs): deploy/render-nginx.sh renders the nginx/ template for a
# systemd deployment from deploy/ipfs-gateway.env.example, and every setting that file names is
# one the app or the deployment scripts really read.
#  - the example, with its paths moved into a temp dir (a later line wins, as in systemd) and a
#    throwaway self-signed certificate reached through a symlink (as certbot's live/ links are),
#    renders and passes `nginx -t` (render_nginx runs it); the rendered config names the app's
#    socket, the workers' user, the certificate's symlink (not the file behind it) and the
#    upload body limit (GW_MAX_UPLOAD_BYTES + 64 KiB);
#  - each KEY= in the example (commented ones too) appears in the app's configuration code
#    (fcgi/config*.cpp, as "KEY", or "NAME" for NAME_FILE) or in gw.d/ or deploy/render-nginx.sh.
# Needs nginx and openssl; starts nothing. Ends with `N passed, M failed`.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
ENV_EXAMPLE=deploy/ipfs-gateway.env.example

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
not_ok() { echo "FAILED: $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; (( failed == 0 )); exit $?; }
PATH=$PATH:/usr/sbin   # nginx, for a user whose PATH lacks it
for tool in nginx openssl; do
  command -v "$tool" >/dev/null || { not_ok "$tool not found: apt-get install nginx-light openssl"; finish; }
done

tmp=$(mktemp -d /tmp/gw-render-nginx.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
     -keyout "$tmp/privkey1.pem" -out "$tmp/fullchain1.pem" >/dev/null 2>&1; then
  not_ok "openssl could not make a test certificate"; finish
fi
mkdir -p "$tmp/live"
ln -s ../fullchain1.pem "$tmp/live/fullchain.pem"
ln -s ../privkey1.pem "$tmp/live/privkey.pem"
{
  cat "$ENV_EXAMPLE"
  echo "GW_TLS_CERT=$tmp/live/fullchain.pem"
  echo "GW_TLS_KEY=\"$tmp/live/privkey.pem\""
  echo "GW_NGINX_USER=$(id -un)"
  echo "GW_NGINX_DIR=$tmp/nginx"
  echo "GW_LOG_DIR=$tmp/logs"
  echo "GW_STORE_DIR=$tmp/store"
  echo "GW_FCGI_SOCKET=$tmp/run/fcgi.sock"
  echo "GW_DOCS_SITE_DIR=$tmp/docs-site"
} >"$tmp/env"

if out=$(deploy/render-nginx.sh "$tmp/env" 2>&1); then ok "render-nginx.sh: $out"
else printf '%s\n' "$out"; not_ok "deploy/render-nginx.sh failed on the example"; finish; fi

conf=$tmp/nginx/conf/nginx.conf
max=$(sed -n 's/^GW_MAX_UPLOAD_BYTES=//p' "$ENV_EXAMPLE" | tail -n 1)
expect() {  # expect <what> <fixed string the rendered config must hold>
  if grep -rqF -- "$2" "$tmp/nginx/conf"; then ok "rendered: $1"
  else not_ok "the rendered config lacks $1 ('$2')"; fi
}
expect "the workers' user" "user $(id -un);"
expect "the app's socket" "server unix:$tmp/run/fcgi.sock;"
expect "kept connections to the app" "fastcgi_keep_conn on;"
expect "the pool of kept connections" "keepalive 64;"
expect "the certificate's symlink" "ssl_certificate     $tmp/live/fullchain.pem;"
expect "the key's symlink" "ssl_certificate_key $tmp/live/privkey.pem;"
expect "the upload body limit" "client_max_body_size $((max + 65536));"
expect "uploads spooled into the store" "client_body_temp_path $tmp/store/.upload-tmp"
expect "the ports of the example" "listen 0.0.0.0:443 ssl"
expect "the docs site" "$tmp/docs-site"
if [[ -f $tmp/docs-site/index.html ]]; then ok "the docs site was built"; else not_ok "no docs site in $tmp/docs-site"; fi
if grep -q '@[A-Z_]*@' "$conf"; then not_ok "placeholders left in $conf"; else ok "no placeholders left"; fi

# every setting of the example is read by something
mapfile -t keys < <(sed -n 's/^#\{0,1\}\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$ENV_EXAMPLE" | sort -u)
for k in "${keys[@]}"; do
  if grep -qF "\"$k\"" fcgi/config*.cpp || grep -qF "\"${k%_FILE}\"" fcgi/config*.cpp \
     || grep -qE "\\\$\\{?$k\\b" gw.d/*.sh deploy/render-nginx.sh; then
    ok "$k is read"
  else
    not_ok "$ENV_EXAMPLE names $k, which nothing reads"
  fi
done

finish

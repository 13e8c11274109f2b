#!/usr/bin/env bash
# deploy/render-nginx.sh: the nginx front end of a systemd deployment (docs/guides/operations.md).
#
# Renders the same template `./gw up` uses (nginx/nginx.conf.in and nginx/snippets/), with gw's
# own render_nginx, into GW_NGINX_DIR/conf, and checks it with `nginx -t`; the previous config is
# kept when the new one fails. ipfs-gateway-nginx.service runs nginx on it. The settings nginx
# must share with the app (socket, store, log dir, upload limit, storage) come from the app's
# environment file, so the two cannot disagree:
#
#   deploy/render-nginx.sh [ENV_FILE]        default /etc/ipfs-gateway/ipfs-gateway.env
#
# Reads only GW_* and FILEBASE_ENDPOINT/FILEBASE_BUCKET from it (never a secret). Besides the
# app's settings and gw's nginx settings (README.md, "Configuration"), it reads:
#   GW_NGINX_USER   the user nginx's workers run as: the app's (default ipfs-gateway)
#   GW_NGINX_DIR    nginx's config, temp files, cache and pid (default /var/lib/ipfs-gateway-nginx)
# Then: systemctl reload ipfs-gateway-nginx (or start it the first time).
set -euo pipefail
umask 022
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
REPO=$PWD

# shellcheck source=gw.d/common.sh
source "$REPO/gw.d/common.sh"
# shellcheck source=gw.d/nginx.sh
source "$REPO/gw.d/nginx.sh"
# shellcheck source=gw.d/docs.sh
source "$REPO/gw.d/docs.sh"
# shellcheck source=gw.d/web.sh
source "$REPO/gw.d/web.sh"

env_file=${1:-/etc/ipfs-gateway/ipfs-gateway.env}
[[ -r $env_file ]] || die "cannot read $env_file (usage: deploy/render-nginx.sh [ENV_FILE])"

# The environment file as systemd reads it (KEY=VALUE lines, # comments, optional quotes; a later
# line wins), without running it as shell code.
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*(GW_[A-Z0-9_]+|FILEBASE_ENDPOINT|FILEBASE_BUCKET)=(.*)$ ]] || continue
  key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
  value=${value%"${value##*[![:space:]]}"}   # trailing blanks
  if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
  export "$key=$value"
done <"$env_file"

[[ -n ${GW_TLS_CERT:-} && -n ${GW_TLS_KEY:-} ]] || die "$env_file must set GW_TLS_CERT and GW_TLS_KEY"

# What render_nginx reads (gw's set_layout sets these for ./gw's own stacks); the defaults are the
# paths of deploy/systemd/ and deploy/ipfs-gateway.env.example.
# shellcheck disable=SC2034  # read by render_nginx and filebase_nginx_subst (gw.d/nginx.sh)
{
  NGINX_USER=${GW_NGINX_USER:-ipfs-gateway}
  NGINX_DIR=${GW_NGINX_DIR:-/var/lib/ipfs-gateway-nginx}
  LOG_DIR=${GW_LOG_DIR:-/var/log/ipfs-gateway}
  STORE_DIR=${GW_STORE_DIR:-/var/lib/ipfs-gateway/store}
  FCGI_SOCKET=${GW_FCGI_SOCKET:-/run/ipfs-gateway/fcgi.sock}
  LISTEN_ADDR=${GW_LISTEN_ADDR:-0.0.0.0}
  HTTPS_PORT=${GW_HTTPS_PORT:-443}
  HTTP_PORT=${GW_HTTP_PORT:-80}
  TLS_CERT=$GW_TLS_CERT
  TLS_KEY=$GW_TLS_KEY
  STORAGE=${GW_STORAGE:-local}
  MAX_UPLOAD_BYTES=${GW_MAX_UPLOAD_BYTES:-104857600}
  MONITORING=0
  NGINX_STATUS_PORT=${GW_NGINX_STATUS_PORT:-19080}
  # the docs site nginx serves at /docs/, built from this checkout next to the binary
  DOCS_SITE_DIR=${GW_DOCS_SITE_DIR:-$REPO/build/docs-site}
  # the web dashboard nginx serves at /app/, built the same way
  WEB_APP_DIR=${GW_WEB_APP_DIR:-$REPO/build/web-app}
}
[[ $MAX_UPLOAD_BYTES =~ ^[1-9][0-9]{0,12}$ ]] || die "GW_MAX_UPLOAD_BYTES must be a positive number of bytes"
for p in "$HTTPS_PORT" "$HTTP_PORT"; do
  [[ $p =~ ^[1-9][0-9]{0,4}$ ]] || die "GW_HTTPS_PORT and GW_HTTP_PORT must be ports; got '$p'"
done
ensure_cert   # both readable; made absolute, symlinks kept (certbot's live/ links)

build_docs_site "$REPO" "$DOCS_SITE_DIR"
build_web_app "$WEB_APP_DIR"
render_nginx
if (( NGINX_CONF_CHANGED )); then
  say "rendered $NGINX_DIR/conf (nginx -t passed); apply it: systemctl reload ipfs-gateway-nginx"
else
  say "$NGINX_DIR/conf is up to date"
fi

# gw.d/nginx.sh: nginx in front of the app: its TLS certificate, the rendered site config, start/stop.
# shellcheck shell=bash

# ----------------------------------------------------------------------------
# TLS
# ----------------------------------------------------------------------------
ensure_cert() {
  if [[ -n $TLS_CERT || -n $TLS_KEY ]]; then
    [[ -n $TLS_CERT && -n $TLS_KEY ]] || die "set both GW_TLS_CERT and GW_TLS_KEY (or neither)"
    [[ -r $TLS_CERT && -r $TLS_KEY ]] || die "cannot read GW_TLS_CERT=$TLS_CERT / GW_TLS_KEY=$TLS_KEY"
    # absolute, but symlinks kept: certbot renews by pointing live/<name>/*.pem at new files, and
    # a reload must pick those up (a resolved archive/ path would keep serving the old one)
    TLS_CERT=$(realpath -s "$TLS_CERT"); TLS_KEY=$(realpath -s "$TLS_KEY")
    return 0
  fi
  TLS_CERT=$TLS_DIR/cert.pem; TLS_KEY=$TLS_DIR/key.pem
  [[ -s $TLS_CERT && -s $TLS_KEY ]] && return 0
  say "generating self-signed TLS certificate ($TLS_CERT; SAN DNS:localhost, IP:127.0.0.1)"
  mkdir -p "$TLS_DIR"; chmod 0700 "$TLS_DIR"
  ( umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 825 \
      -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -addext "extendedKeyUsage=serverAuth" \
      -keyout "$TLS_KEY.tmp" -out "$TLS_CERT.tmp" </dev/null >"$TLS_DIR/openssl.log" 2>&1
  ) || { show_tail "$TLS_DIR/openssl.log"; die "certificate generation failed"; }
  mv "$TLS_KEY.tmp" "$TLS_KEY"; mv "$TLS_CERT.tmp" "$TLS_CERT"
  chmod 0600 "$TLS_KEY"; chmod 0644 "$TLS_CERT"
}

# ----------------------------------------------------------------------------
# nginx
# ----------------------------------------------------------------------------
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
nginx_cmd() { "$NGINX" -p "$NGINX_DIR/" -c "$NGINX_DIR/conf/nginx.conf" -e "$LOG_DIR/nginx-error.log" "$@"; }
nginx_pid() { pidfile_pid "$NGINX_DIR/nginx.pid"; }
nginx_running() { pid_alive "$(nginx_pid)" nginx; }
nofile_limit() {  # min(65536, hard RLIMIT_NOFILE): nginx cannot raise past the hard limit
  local h; h=$(ulimit -Hn)
  if [[ $h == unlimited ]] || (( h > 65536 )); then echo 65536; else echo "$h"; fi
}
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# filebase_nginx_subst: the placeholders of the Filebase retrieval (snippets/filebase.conf.in),
# appended to `subst`. With the embedded store nothing of it is included, but every placeholder
# of every template is still filled in.
filebase_nginx_subst() {
  local endpoint=${FILEBASE_ENDPOINT:-https://s3.filebase.com} scheme host server_name port
  if [[ ! $endpoint =~ ^(https?)://([^/:]+)(:([0-9]+))?/*$ ]]; then
    [[ $STORAGE == filebase ]] && die "FILEBASE_ENDPOINT must be http(s)://host[:port]; got '$endpoint'"
    endpoint=https://s3.filebase.com
    [[ $endpoint =~ ^(https?)://([^/:]+)(:([0-9]+))?/*$ ]]
  fi
  scheme=${BASH_REMATCH[1]} server_name=${BASH_REMATCH[2]} port=${BASH_REMATCH[4]}
  host=$server_name${port:+:$port}
  [[ -n $port ]] || { [[ $scheme == https ]] && port=443 || port=80; }
  local http="# GW_STORAGE=local: content is served from the store's files/, no Filebase cache"
  local location="# GW_STORAGE=local: no Filebase retrieval location"
  if [[ $STORAGE == filebase ]]; then
    mkdir -p "$NGINX_DIR/cache/filebase"
    http="upstream gw_filebase_s3 { server $server_name:$port; keepalive 16; } proxy_cache_path $NGINX_DIR/cache/filebase levels=1:2 keys_zone=gw_filebase:10m max_size=${GW_RETRIEVE_CACHE_MAX_SIZE:-1g} inactive=7d use_temp_path=off;"
    location="include $NGINX_DIR/conf/snippets/filebase.conf;"
  fi
  subst+=(
    FILEBASE_HTTP "$http"
    FILEBASE_LOCATION "$location"
    FILEBASE_SCHEME "$scheme"
    FILEBASE_HOST "$host"
    FILEBASE_SERVER_NAME "$server_name"
    FILEBASE_BUCKET "${FILEBASE_BUCKET:-unset}"
  )
}

# render_nginx: nginx/ templates -> $NGINX_DIR/conf (".in" suffix dropped).
# Sets NGINX_CONF_CHANGED=1 when the rendered config differs from the current one.
render_nginx() {
  local conf=$NGINX_DIR/conf new=$NGINX_DIR/conf.new f out
  local user_line="# (not root: nginx workers run as the invoking user)"
  # as root: the workers run as the app's service user (svc_prepare, common.sh), the master stays
  # root (the TLS key, mode 0600, is root's; ports); root only when that user cannot reach the checkout
  if (( IS_ROOT )); then
    if [[ -n $SVC_USER ]]; then user_line="user $SVC_USER;  # the app's service user (gw.d/common.sh)"
    else user_line="user root;  # the service user cannot reach the checkout (gw warned)"; fi
  fi
  # NGINX_USER (empty in gw's layouts; deploy/render-nginx.sh sets it): the workers' user. It must
  # be the app's: workers hand the app spooled upload bodies (mode 0600) and serve the store's files.
  if [[ -n ${NGINX_USER:-} ]]; then
    [[ $NGINX_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "nginx user must be a user name; got '$NGINX_USER'"
    user_line="user $NGINX_USER;  # the app's user"
  fi
  # The coarse per-IP first line (the app's own limits are the real ones): GW_NGINX_RATE
  # (default 100r/s, "off" to disable) with a burst of GW_NGINX_BURST (200). Loopback is exempt
  # (an empty key is never limited): local tools, Prometheus and the test suite.
  local rate=${GW_NGINX_RATE:-100r/s} burst=${GW_NGINX_BURST:-200}
  local limit_zone="# per-IP limit_req disabled (GW_NGINX_RATE=off)" limit_req="# per-IP limit_req disabled"
  if [[ $rate != off ]]; then
    [[ $rate =~ ^[1-9][0-9]*r/[sm]$ ]] || die "GW_NGINX_RATE must look like 100r/s or 600r/m (or be off); got '$rate'"
    [[ $burst =~ ^[0-9]+$ ]] || die "GW_NGINX_BURST must be a number; got '$burst'"
    limit_zone="geo \$gw_nginx_limit_key { default \$binary_remote_addr; 127.0.0.0/8 \"\"; ::1/128 \"\"; } limit_req_zone \$gw_nginx_limit_key zone=gw_perip:10m rate=$rate;"
    limit_req="limit_req zone=gw_perip burst=$burst nodelay; limit_req_status 429;"
  fi
  # /metrics: loopback plus the operations networks in GW_METRICS_ALLOW (comma-separated CIDRs).
  local metrics_allow="allow 127.0.0.1; allow ::1;" net
  local -a nets=()
  IFS=', ' read -r -a nets <<<"${GW_METRICS_ALLOW:-}"
  for net in "${nets[@]}"; do
    [[ -z $net ]] && continue
    [[ $net =~ ^[0-9a-fA-F:.]+(/[0-9]{1,3})?$ ]] || die "GW_METRICS_ALLOW: '$net' is not an address or network"
    metrics_allow+=" allow $net;"
  done
  # kept FastCGI connections per nginx worker (sizing: the header of nginx/nginx.conf.in)
  local keepalive=${GW_NGINX_UPSTREAM_KEEPALIVE:-64}
  [[ $keepalive =~ ^[1-9][0-9]{0,4}$ ]] || die "GW_NGINX_UPSTREAM_KEEPALIVE must be a positive number; got '$keepalive'"
  local monitoring_http="# no monitoring (./gw up --with-monitoring adds nginx's stub_status on loopback)"
  (( MONITORING )) && monitoring_http="include $conf/snippets/stub-status.conf;"
  # `./gw bench` only (gw.d/bench.sh): its bench-only locations in the gateway's server block
  local bench_locations="# no bench-only locations (./gw bench adds them to its own stack only)"
  [[ -n ${BENCH_NGINX_INCLUDE:-} ]] && bench_locations="include $BENCH_NGINX_INCLUDE;"
  local bench_upstreams="# no bench-only upstreams"
  [[ -n ${BENCH_NGINX_HTTP_INCLUDE:-} ]] && bench_upstreams="include $BENCH_NGINX_HTTP_INCLUDE;"
  local -a subst=(
    USER_LINE "$user_line"
    WORKER_PROCESSES "${GW_NGINX_WORKERS:-auto}"
    RLIMIT_NOFILE "$(nofile_limit)"
    NGINX_DIR "$NGINX_DIR"
    CONF_DIR "$conf"
    LOG_DIR "$LOG_DIR"
    MIME_TYPES /etc/nginx/mime.types
    FASTCGI_PARAMS /etc/nginx/fastcgi_params
    LISTEN_ADDR "$LISTEN_ADDR"
    HTTP_PORT "$HTTP_PORT"
    HTTPS_PORT "$HTTPS_PORT"
    TLS_CERT "$TLS_CERT"
    TLS_KEY "$TLS_KEY"
    FCGI_SOCKET "$FCGI_SOCKET"
    UPSTREAM_KEEPALIVE "$keepalive"
    UPLOAD_TMP_DIR "$STORE_DIR/.upload-tmp"
    # the limit is on the file: a multipart body may carry up to 64 KiB of framing beyond it
    # (domain::kMultipartFramingAllowance); the app checks the file's own size
    UPLOAD_BODY_LIMIT "$(( MAX_UPLOAD_BYTES + 65536 ))"
    STORE_DIR "$STORE_DIR"
    WEB_DIR "$REPO/web"
    DOCS_SITE_DIR "$DOCS_SITE_DIR"
    WEB_APP_DIR "$WEB_APP_DIR"
    LIMIT_REQ_ZONE "$limit_zone"
    LIMIT_REQ "$limit_req"
    METRICS_ALLOW "$metrics_allow"
    NGINX_STATUS_PORT "$NGINX_STATUS_PORT"
    MONITORING_HTTP "$monitoring_http"
    BENCH_LOCATIONS "$bench_locations"
    BENCH_UPSTREAMS "$bench_upstreams"
  )
  filebase_nginx_subst
  local -a sedargs=() i
  for (( i = 0; i < ${#subst[@]}; i += 2 )); do
    sedargs+=(-e "s|@${subst[i]}@|$(sed_escape "${subst[i+1]}")|g")
  done
  rm -rf "$new"; mkdir -p "$new"
  while IFS= read -r -d '' f; do
    out=$new/${f%.in}
    mkdir -p "$(dirname "$out")"
    sed "${sedargs[@]}" "$REPO/nginx/$f" >"$out"
  done < <(cd "$REPO/nginx" && find . -type f \( -name '*.conf' -o -name '*.conf.in' \) -printf '%P\0')
  if grep -rnE '@[A-Z_]+@' "$new" >&2; then die "unreplaced placeholders in rendered nginx config (see above)"; fi
  # the web dashboard's CSP per page (gw.d/web.sh): part of the config, so that a rebuilt app
  # with new inline-script hashes counts as a changed config and nginx reloads
  cp "$WEB_APP_DIR.csp.conf" "$new/snippets/web-app-csp.conf" \
    || die "no CSP map of the web dashboard ($WEB_APP_DIR.csp.conf): build_web_app first"
  mkdir -p "$NGINX_DIR"/tmp/{client_body,proxy,fastcgi,uwsgi,scgi} "$STORE_DIR/.upload-tmp" "$LOG_DIR"
  svc_own "$NGINX_DIR/tmp" "$NGINX_DIR/cache" "$STORE_DIR/.upload-tmp"   # the workers write there
  NGINX_CONF_CHANGED=1
  if [[ -d $conf ]] && diff -r -q "$conf" "$new" >/dev/null 2>&1; then
    NGINX_CONF_CHANGED=0; rm -rf "$new"; return 0
  fi
  rm -rf "$NGINX_DIR/conf.old"
  [[ -d $conf ]] && mv "$conf" "$NGINX_DIR/conf.old"
  mv "$new" "$conf"
  if ! nginx_cmd -t -q 2>"$LOG_DIR/nginx-test.out"; then
    cat "$LOG_DIR/nginx-test.out" >&2
    if [[ -d $NGINX_DIR/conf.old ]]; then rm -rf "$conf"; mv "$NGINX_DIR/conf.old" "$conf"; fi
    die "rendered nginx config is invalid (nginx -t); previous config kept"
  fi
  rm -rf "$NGINX_DIR/conf.old"
}

nginx_start() {
  if nginx_running; then
    if (( NGINX_CONF_CHANGED )); then
      say "nginx config changed: reloading nginx (pid $(nginx_pid))"
      kill -HUP "$(nginx_pid)"
      sleep 1   # let the new workers take over before anyone probes
    else
      say "nginx already running (pid $(nginx_pid))"
    fi
    return 0
  fi
  rm -f "$NGINX_DIR/nginx.pid"
  say "starting nginx (https://$LISTEN_ADDR:$HTTPS_PORT, http :$HTTP_PORT -> 308)"
  nginx_cmd </dev/null >>"$LOG_DIR/nginx-error.log" 2>&1 || { show_tail "$LOG_DIR/nginx-error.log"; die "nginx failed to start"; }
  local t=$(( START_TIMEOUT * 10 ))
  while ! nginx_running && (( t-- > 0 )); do sleep 0.1; done
  nginx_running || { show_tail "$LOG_DIR/nginx-error.log"; die "nginx did not start"; }
}

nginx_stop() {
  local pid; pid=$(nginx_pid)
  [[ -n $pid ]] && stop_pid nginx "$pid" QUIT nginx
  rm -f "$NGINX_DIR/nginx.pid"
}

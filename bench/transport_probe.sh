#!/usr/bin/env bash
# Issue #14 probe: the FastCGI transport's ceiling, side by side, with do-nothing responders.
#   nginx's own `return 200` (the roof); bench/fcgi_hello (libfcgi, thread per connection) with
#   fastcgi_keep_conn off as today; bench/fcgi_event_hello (epoll loop per thread around libfcgi's
#   request parsing) with keep_conn off, then on with an nginx upstream keepalive pool of 8/16/32/64/128
#   (per nginx worker).
# wrk -t2 over TLS (HTTP/1.1), POST via bench/lua/request.lua (counts non-200), at 64 and 256 conns.
# Usage: bench/transport_probe.sh [seconds=8] [build dir=build-bench]   (run as root: nginx)
#   GW_PROBE_ONLY=regex runs only the cases whose name matches.
set -u
cd "$(dirname "$0")/.." || exit
d=${1:-8}
bin=${2:-build-bench}/bench
tls=${GW_TLS_DIR:-/work/main/var/tls}
cert=$tls/cert.pem key=$tls/key.pem port=${GW_PROBE_PORT:-18543}

if ss -Hltn "sport = :$port" | grep -q .; then
  echo "port $port is busy (a leftover nginx?): set GW_PROBE_PORT" >&2
  exit 1
fi

case_run() { # name responder workers threads keep_conn keepalive conns
  local name=$1 responder=$2 w=$3 t=$4 kc=$5 ka=$6 c=$7 tmp hp="" out
  [[ $name =~ ${GW_PROBE_ONLY:-.} ]] || return 0
  tmp=$(mktemp -d)
  if [[ $responder != none ]]; then
    "$bin/$responder" "$tmp/h.sock" "$w" "$t" &
    hp=$!
  fi
  local up="fastcgi_pass unix:$tmp/h.sock;" ups=""
  if [[ $kc == on ]]; then
    ups="upstream h { server unix:$tmp/h.sock; keepalive $ka; }"
    up="fastcgi_pass h; fastcgi_keep_conn on;"
  fi
  cat >"$tmp/nginx.conf" <<CONF
user root;
worker_processes auto; pid $tmp/nginx.pid; error_log $tmp/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $tmp/body; keepalive_requests 100000;
  $ups
  server { listen 127.0.0.1:$port ssl http2; ssl_certificate $cert; ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:B:10m;
    location = /fcgi { include /etc/nginx/fastcgi_params; $up }
    location / { default_type application/json; return 200 '{"status":200}'; } } }
CONF
  nginx -p "$tmp/" -c "$tmp/nginx.conf"
  sleep 0.3
  local url="https://127.0.0.1:$port/fcgi"
  [[ $responder == none ]] && url="https://127.0.0.1:$port/"
  out=$(GW_BENCH_METHOD=POST wrk -t2 -c"$c" -d"${d}s" --latency -s bench/lua/request.lua "$url" 2>&1)
  printf '%s conns=%s rps=%s p99=%s non200=%s errors=%s nginx_errors=%s\n' "$name" "$c" \
    "$(awk '/^Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")" \
    "$(awk -F= '/^non_200=/{print $2}' <<<"$out")" \
    "$(grep -o 'Socket errors.*' <<<"$out" || echo none)" \
    "$(grep -c '\[error\]' "$tmp/error.log")"
  nginx -p "$tmp/" -c "$tmp/nginx.conf" -s stop 2>/dev/null
  if [[ -n $hp ]]; then kill -9 "$hp"; wait "$hp" 2>/dev/null; fi
  sleep 0.3
  rm -rf "$tmp"
}

for c in 64 256; do
  case_run nginx_return_200 none 0 0 off 0 "$c"
  case_run hello_2x8_keepoff fcgi_hello 2 8 off 0 "$c"
  case_run hello_2x32_keep16 fcgi_hello 2 32 on 16 "$c" # reference: thread per kept connection
  case_run event_2x1_keepoff fcgi_event_hello 2 1 off 0 "$c"
  for ka in 8 16 32 64 128; do
    case_run "event_2x1_keep$ka" fcgi_event_hello 2 1 on "$ka" "$c"
  done
done

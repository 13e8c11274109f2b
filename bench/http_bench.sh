#!/usr/bin/env bash
# HTTP load benchmark over TLS with wrk, against the stack of `./gw up`.
#
# Measures, in one run and with the same connection count:
#   nginx_return_200  nginx alone answering `return 200` over TLS (the ceiling: a second nginx
#                     with the same TLS settings, certificate and worker count on its own port)
#   fcgi_hello        the same nginx in front of bench/fcgi_hello.cpp, a libfcgi responder that
#                     does nothing (2 processes x 8 threads, like the service): the cost of the
#                     FastCGI hop itself, the ceiling for any FastCGI application here
#   health            GET /health: nginx + FastCGI + a worker, no database
#   post_status       POST /status with an API key: the authenticated hot path (key cache,
#                     usage counter, one indexed read of the account)
# and prints requests/s with the ratio to the nginx ceiling.
#
# Usage: bench/http_bench.sh [seconds=10] [connections=64] [threads=2]
# Needs: a running `./gw up` stack (var/admin.key, var/stack.env), wrk, curl.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
duration=${1:-10}
connections=${2:-64}
threads=${3:-2}

[[ -f var/admin.key ]] || { echo "bench: no var/admin.key: run ./gw up first" >&2; exit 1; }
https_port=$(sed -n 's/^GW_HTTPS_PORT=//p' var/stack.env 2>/dev/null || true)
https_port=${https_port:-8443}
base="https://127.0.0.1:${https_port}"
cert=${GW_TLS_CERT:-$PWD/var/tls/cert.pem}
key=${GW_TLS_KEY:-$PWD/var/tls/key.pem}
export GW_BENCH_KEY
GW_BENCH_KEY=$(cat var/admin.key)

code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $GW_BENCH_KEY" "$base/status")
[[ $code == 200 ]] || { echo "bench: POST /status answered $code, is the stack up?" >&2; exit 1; }

source bench/tools.sh
ensure_bench_tools
hello=$BENCH_BUILD_DIR/bench/fcgi_hello

# The ceilings: a second nginx with the same TLS settings, answering from memory and in front
# of the do-nothing FastCGI responder.
tmp=$(mktemp -d)
"$hello" "$tmp/hello.sock" "${GW_WORKERS:-$(nproc)}" "${GW_THREADS:-8}" &
hello_pid=$!
disown "$hello_pid"  # killed in the EXIT trap; no "Killed" job notice
trap 'nginx -p "$tmp/" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true; kill -9 $hello_pid 2>/dev/null; rm -rf "$tmp"' EXIT
baseline_port=$(( https_port + 100 ))
cat >"$tmp/nginx.conf" <<CONF
$( [[ $(id -u) -eq 0 ]] && echo "user root;" )
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/body;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$baseline_port ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:BENCH_SSL:10m;
    location = /fcgi {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn off;
      fastcgi_pass unix:$tmp/hello.sock;
    }
    location / { default_type application/json; return 200 '{"status":200,"message":"ok","data":{}}'; }
  }
}
CONF
nginx -p "$tmp/" -c "$tmp/nginx.conf"
sleep 0.3

run() {  # run <name> <url> [wrk args...] -> prints "name rps non_200"
  local name=$1 url=$2; shift 2
  local out rps bad
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@" "$url")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk -F= '/^non_200=/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$name ${rps:-0} ${bad:-0} ${p99:-?}"
}

echo "bench: ${duration}s per case, ${connections} keep-alive connections, ${threads} wrk threads, TLS"
results=()
results+=("$(GW_BENCH_METHOD=POST run nginx_return_200 "https://127.0.0.1:$baseline_port/" -s bench/request.lua)")
results+=("$(GW_BENCH_METHOD=POST run fcgi_hello "https://127.0.0.1:$baseline_port/fcgi" -s bench/request.lua)")
results+=("$(GW_BENCH_METHOD=GET run health "$base/health" -s bench/request.lua)")
results+=("$(GW_BENCH_METHOD=POST run post_status "$base/status" -s bench/request.lua)")

ceiling=$(awk '{print $2}' <<<"${results[0]}")
printf '%-18s %12s %10s %10s %12s\n' case "requests/s" "vs nginx" "p99" "non-200"
for line in "${results[@]}"; do
  read -r name rps bad p99 <<<"$line"
  ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.1f%%", (b > 0 ? 100 * a / b : 0) }')
  printf '%-18s %12s %10s %10s %12s\n' "$name" "$rps" "$ratio" "$p99" "$bad"
done

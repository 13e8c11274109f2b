#!/usr/bin/env bash
# bench/files_cost.sh: the cost of one GET /files?limit=20 on `./gw up`'s stack (#14).
#
# In one run: nginx alone answering `return 200` over TLS (a second nginx, same TLS settings,
# as in bench/http_bench.sh), then GET /files?limit=20 with the admin key; prints requests/s,
# the ratio to nginx, and the CPU per listing of the request workers and of PostgreSQL (every
# process of the cluster: the app's backends, WAL writer, checkpointer...), read from /proc
# before and after (utime + stime). The admin account first gets `files` live files
# (bench/seed_files.sql, idempotent).
#
# Usage: bench/files_cost.sh [seconds=10] [connections=64] [files=300]
# Needs: a running `./gw up` stack (var/admin.key, var/stack.env), wrk, curl, psql.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
duration=${1:-10} connections=${2:-64} files=${3:-300}

[[ -f var/admin.key ]] || { echo "bench: no var/admin.key: run ./gw up first" >&2; exit 1; }
https_port=$(sed -n 's/^GW_HTTPS_PORT=//p' var/stack.env 2>/dev/null || true)
pg_port=$(sed -n 's/^GW_PG_PORT=//p' var/stack.env 2>/dev/null || true)
base="https://127.0.0.1:${https_port:-8443}"
pg_data=$(readlink -f var/pg)/data
postmaster=$(head -1 "$pg_data/postmaster.pid")
export GW_BENCH_KEY GW_BENCH_METHOD=GET
GW_BENCH_KEY=$(cat var/admin.key)

PGPASSWORD=$(cat var/secrets/pg_superuser_password) psql -X -q -h "$(readlink -f var/pg)/sock" -p "${pg_port:-55432}" \
  -U postgres -d ipfs_gateway -v ON_ERROR_STOP=1 -v email="${GW_ADMIN_EMAIL:-admin@ipfs-gateway.local}" \
  -v files="$files" -f bench/seed_files.sql >/dev/null
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "X-API-Key: $GW_BENCH_KEY" "$base/files?limit=20")
[[ $code == 200 ]] || { echo "bench: GET /files answered $code" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'nginx -p "$tmp/" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$tmp"' EXIT
baseline_port=$(( ${https_port:-8443} + 100 ))
cat >"$tmp/nginx.conf" <<CONF
$( [[ $(id -u) -eq 0 ]] && echo "user root;" )
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$baseline_port ssl http2;
    ssl_certificate ${GW_TLS_CERT:-$PWD/var/tls/cert.pem};
    ssl_certificate_key ${GW_TLS_KEY:-$PWD/var/tls/key.pem};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { default_type application/json; return 200 '{"status":200,"message":"ok","data":{}}'; }
  }
}
CONF
nginx -p "$tmp/" -c "$tmp/nginx.conf"
sleep 0.3

ticks() {  # ticks <pid>...: utime + stime of the processes (and, with -c, their reaped children)
  local children=0 total=0 pid
  [[ $1 == -c ]] && { children=1; shift; }
  for pid in "$@"; do
    total=$(( total + $(awk -v c=$children '{print $14 + $15 + c * ($16 + $17)}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
pg_ticks() { echo $(( $(ticks -c "$postmaster") + $(ticks $(pgrep -P "$postmaster")) )); }
rps_of() { awk '/^Requests\/sec/ {print $2}'; }

nginx_rps=$(wrk -t2 -c"$connections" -d"${duration}s" -s bench/request.lua "https://127.0.0.1:$baseline_port/" | rps_of)
mapfile -t workers < <(cat var/run/worker-*.pid)
w0=$(ticks "${workers[@]}") p0=$(pg_ticks)
out=$(wrk -t2 -c"$connections" -d"${duration}s" -s bench/request.lua "$base/files?limit=20")
w1=$(ticks "${workers[@]}") p1=$(pg_ticks)
rps=$(rps_of <<<"$out")
bad=$(awk -F= '/^non_200=/ {print $2}' <<<"$out")
requests=$(awk '/requests in/ {print $1}' <<<"$out")
hz=$(getconf CLK_TCK)
awk -v n="$nginx_rps" -v r="$rps" -v q="$requests" -v w=$(( w1 - w0 )) -v p=$(( p1 - p0 )) -v hz="$hz" -v bad="$bad" \
  -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "nginx_return_200 %.0f rps | GET /files?limit=20 %.0f rps = %.1f%% of nginx | non-200 %s | load %s\n", n, r, 100 * r / n, bad, load
  printf "per listing: workers %.0f us CPU, PostgreSQL %.0f us CPU (%d requests)\n", 1e6 * w / hz / q, 1e6 * p / hz / q, q }'

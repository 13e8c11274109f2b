#!/usr/bin/env bash
# What rate limits and metrics cost on the hot path: POST /status with both on vs both off,
# in one run, behind one nginx, against the database of the `./gw up` stack.
#
# Starts two extra worker pools from the stack's own build and configuration, which differ only
# in GW_RATE_LIMITS / GW_METRICS (on: every request takes the per-user GCRA step in shared memory
# and is counted into the pool's metrics; off: neither), plus an nginx with the stack's TLS
# settings that serves `return 200` (the ceiling) and fronts each pool on its own port. The key
# is a bench user whose plan allows far more than wrk can send, so every request takes the
# limiter's full path and passes. Cases alternate (on, off, on, off, ...) so that drift of the
# machine does not favour either; the medians are compared.
#
# With GW_BENCH_REDIS_URL set (e.g. the stack's own, from `./gw up --with-redis`), the "on" pool
# keeps its limits in that Redis instead of shared memory: the cost of the multi-host setup.
#
# Usage: bench/limits_bench.sh [seconds=10] [rounds=3] [connections=64] [threads=2]
# Needs: a running `./gw up` stack built from this tree, wrk, curl, jq.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
REPO=$PWD
duration=${1:-10}
rounds=${2:-3}
connections=${3:-64}
threads=${4:-2}

# shellcheck source=gw.d/common.sh
source "$REPO/gw.d/common.sh"
# shellcheck source=gw.d/postgres.sh
source "$REPO/gw.d/postgres.sh"
# shellcheck source=gw.d/app.sh
source "$REPO/gw.d/app.sh"
set_layout main
choose_pg_dir ""   # the stack's PostgreSQL directory, as `up` chose it
require_bin
[[ -s $ADMIN_KEY_FILE ]] || die "no $ADMIN_KEY_FILE: run ./gw up first"
admin_key=$(cat "$ADMIN_KEY_FILE")
base="https://127.0.0.1:$HTTPS_PORT"
cert=${TLS_CERT:-$VAR_DIR/tls/cert.pem}
tls_key=${TLS_KEY:-$VAR_DIR/tls/key.pem}

# The bench user: registered through the stack, then given a plan no benchmark can exhaust.
email="bench-limits-$(date +%s)-$RANDOM@example.com"
key=$(curl -sfk "$base/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"bench password $RANDOM$RANDOM\"}" | jq -r .data.api_key) \
  || die "POST /register failed: is the stack up (./gw up)?"
curl -sfk -o /dev/null -X PUT "$base/admin/users/$email/plan" -H "X-API-Key: $admin_key" \
  -H 'Content-Type: application/json' \
  -d '{"plan":"free","overrides":{"requests_per_minute":1000000000,"burst":1000000}}' \
  || die "PUT /admin/users/{email}/plan failed"

tmp=$(mktemp -d)
chmod 0755 "$tmp"
pool_pids=()
cleanup() {
  nginx -p "$tmp/" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true
  local pid
  for pid in "${pool_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  rm -rf "$tmp"
}
trap cleanup EXIT

app_env
start_pool() {  # start_pool <name> <VAR=value...>: a pool on $tmp/<name>.sock
  local name=$1 t=100
  shift
  mkdir -p "$tmp/$name/run" "$tmp/$name/logs"
  setsid env "${APP_ENV[@]}" GW_FCGI_SOCKET="$tmp/$name.sock" GW_RUN_DIR="$tmp/$name/run" \
    GW_LOG_DIR="$tmp/$name/logs" GW_JOB_WORKERS=0 "$@" "$BIN" serve >"$tmp/$name/out" 2>&1 </dev/null &
  pool_pids+=($!)
  while [[ ! -S $tmp/$name.sock ]] && (( t-- > 0 )); do sleep 0.1; done
  [[ -S $tmp/$name.sock ]] || { cat "$tmp/$name/out" >&2; die "the '$name' pool did not start"; }
}
start_pool on GW_RATE_LIMITS=on GW_METRICS=on GW_RATE_LIMIT_REDIS_URL="${GW_BENCH_REDIS_URL:-}"
start_pool off GW_RATE_LIMITS=off GW_METRICS=off

port=$(( HTTPS_PORT + 200 ))
server() {  # server <port> <location body>
  cat <<CONF
  server {
    listen 127.0.0.1:$1 ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $tls_key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:BENCH_SSL:10m;
    location / { $2 }
  }
CONF
}
fcgi() { echo "include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_ID \$request_id; fastcgi_keep_conn off; fastcgi_pass unix:$tmp/$1.sock;"; }
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
$(server "$port" "default_type application/json; return 200 '{\"status\":200,\"message\":\"ok\",\"data\":{}}';")
$(server $(( port + 1 )) "$(fcgi on)")
$(server $(( port + 2 )) "$(fcgi off)")
}
CONF
nginx -p "$tmp/" -c "$tmp/nginx.conf"
sleep 0.3
for p in $(( port + 1 )) $(( port + 2 )); do
  code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $key" "https://127.0.0.1:$p/status")
  [[ $code == 200 ]] || die "POST /status on port $p answered $code"
done
headers=$(curl -sk -D - -o /dev/null -X POST -H "X-API-Key: $key" "https://127.0.0.1:$(( port + 1 ))/status")
grep -qi '^ratelimit:' <<<"$headers" || die "the 'on' pool answered without RateLimit headers: the limiter is not on its path"

export GW_BENCH_KEY=$key GW_BENCH_METHOD=POST
rps() {  # rps <url>: requests/s of one wrk run (fails on any non-200)
  local out bad
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" -s bench/lua/request.lua "$1")
  bad=$(awk -F= '/^non_200=/ {print $2}' <<<"$out")
  [[ ${bad:-0} == 0 ]] || die "$bad answers other than 200 from $1"
  awk '/^Requests\/sec/ {print $2}' <<<"$out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

[[ -n ${GW_BENCH_REDIS_URL:-} ]] && echo "bench: the 'on' pool keeps its limits in Redis ($GW_BENCH_REDIS_URL)"
echo "bench: POST /status, ${duration}s per case, $rounds rounds, $connections connections, $threads wrk threads, TLS"
declare -a on=() off=() ceiling=()
for (( r = 1; r <= rounds; r++ )); do
  ceiling+=("$(rps "https://127.0.0.1:$port/")")
  on+=("$(rps "https://127.0.0.1:$(( port + 1 ))/status")")
  off+=("$(rps "https://127.0.0.1:$(( port + 2 ))/status")")
  echo "round $r: nginx return 200 ${ceiling[-1]}  limits+metrics on ${on[-1]}  off ${off[-1]}"
done
c=$(printf '%s\n' "${ceiling[@]}" | median)
a=$(printf '%s\n' "${on[@]}" | median)
b=$(printf '%s\n' "${off[@]}" | median)
printf '%-28s %12s %10s\n' case "requests/s" "vs nginx"
printf '%-28s %12.0f %10s\n' "nginx_return_200" "$c" "100%"
printf '%-28s %12.0f %9.1f%%\n' "post_status_limits_off" "$b" "$(awk -v x="$b" -v y="$c" 'BEGIN { print 100 * x / y }')"
printf '%-28s %12.0f %9.1f%%\n' "post_status_limits_on" "$a" "$(awk -v x="$a" -v y="$c" 'BEGIN { print 100 * x / y }')"
awk -v on="$a" -v off="$b" 'BEGIN { printf "cost of limits + metrics: %.1f%% (on/off = %.3f)\n", 100 * (off - on) / off, on / off }'

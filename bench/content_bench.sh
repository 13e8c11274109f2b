#!/usr/bin/env bash
# Content path benchmark over TLS, against the stack of `./gw up`, each case next to a baseline
# measured in the same run: a throwaway second nginx with the gateway's TLS settings (copied from
# the rendered var/nginx/conf/nginx.conf), worker count, sendfile/tcp_nopush, on its own port.
#
#   (uploads of GW_ASYNC_THRESHOLD bytes and more answer 202 and are stored by a task: their time
#   runs until a status poll sees the task succeeded, so it stays "until the file is stored")
#   upload_same     POST /upload of the same bytes each run (after the first upload the store
#                   dedupes: TLS receive + spool to file + FastCGI + hashing/CID of every byte)
#   upload_fresh    POST /upload of a different file each run (32 random bytes patched in at
#                   offset 0 before the run, outside the timing): adds the store write (link or
#                   copy into the store, DAG blocks, fsync, the database row)
#     baseline      nginx ngx_http_dav_module PUT of the same body: nginx reads it over TLS into
#                   a temp file (same client_body_buffer_size) and renames it to a new name (an
#                   overwrite would free the previous 100 MiB inside the timing); no fsync
#                   Both: `curl --data-binary @file` (curl loads the file before its clock starts),
#                   `-w %{time_total}`, best and median of RUNS; the runs are interleaved, in all
#                   6 orders in turn, each after a `sync` (GW_BENCH_SYNC=0: without), so that load
#                   from others and one request's aftermath (writeback, unlinks) hit all three alike.
#                   The gateway's access log (our X-Request-Id) splits its time into nginx receiving
#                   the body (request_time - upstream_response_time) and the app (upstream time).
#   worker_rss      VmRSS and RssAnon of every worker (var/run/worker-*.pid), every 10 ms, during one
#                   more fresh upload (not one of the timed ones): max growth over the value just
#                   before the upload
#   retrieve_curl   GET /retrieve/<cid> of the uploaded file, one connection, curl -o /dev/null,
#                   %{speed_download}; baseline: the same bytes as a static file from the 2nd nginx
#   retrieve_wrk    the same with wrk (HTTP/1.1, -c WRK_CONNECTIONS), ABBA order (static, gateway,
#                   gateway, static), WRK_SECONDS/2 each; MB/s from wrk's byte count
#   cid_cpp/sha256  optional: build/bench/micro_bench (Google Benchmark) BM_ImportCidV1 and
#   cid_cpp/js      BM_Sha256 on 100 MiB, and bench/js/importer_bench.mjs (the JS reference
#                   importer) on the benchmark file; the JS CID must equal the gateway's
# MB/s are 10^6 bytes/s everywhere.
#
# Usage: bench/content_bench.sh [size_mib=100] [runs=5]
# Env:   WRK_SECONDS=10 WRK_CONNECTIONS=8
#        GW_BENCH_BUILD_DIR (default $GW_BUILD_DIR or build): where bench/micro_bench is; built
#          there if the dir is configured with -DGW_BENCH=ON, else the case is skipped
#        GW_BENCH_KEEP=1: keep the bench uploads (default: DELETE /files/<cid> of each of them at
#          exit: soft delete, `./gw gc` reclaims the bytes)
#        TMPDIR: where the files and the baseline nginx live (best on the store's filesystem)
#        GW_BENCH_SYNC=0: no `sync` before each timed request
# Needs: a running `./gw up` stack (var/admin.key, var/stack.env), curl, wrk, jq; node for the JS
# case (after `cd tests/reference && npm ci`).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
size_mib=${1:-100}
runs=${2:-5}
wrk_seconds=${WRK_SECONDS:-10}
wrk_connections=${WRK_CONNECTIONS:-8}
[[ $size_mib =~ ^[0-9]+$ && $size_mib -ge 1 && $runs =~ ^[0-9]+$ && $runs -ge 1 ]] \
  || { echo "usage: bench/content_bench.sh [size_mib=100] [runs=5]" >&2; exit 2; }
(( size_mib <= 100 )) || { echo "bench: the gateway takes uploads up to 100 MiB" >&2; exit 2; }
for tool in curl wrk jq nginx; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

[[ -f var/admin.key ]] || { echo "bench: no var/admin.key: run ./gw up first" >&2; exit 1; }
https_port=$(sed -n 's/^GW_HTTPS_PORT=//p' var/stack.env 2>/dev/null || true)
https_port=${https_port:-8443}
base="https://127.0.0.1:${https_port}"
gw_conf=var/nginx/conf/nginx.conf
[[ -f $gw_conf ]] || { echo "bench: no $gw_conf (rendered by ./gw up)" >&2; exit 1; }
worker_pids=()
for f in var/run/worker-*.pid; do
  [[ -f $f ]] || continue
  pid=$(head -n1 "$f" | tr -dc '0-9')
  [[ -n $pid && -r /proc/$pid/status ]] && worker_pids+=("$pid")
done
(( ${#worker_pids[@]} > 0 )) || { echo "bench: no live worker in var/run/worker-*.pid" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/content_bench.XXXXXX")
chmod 0700 "$tmp"
baseline_port=$(( https_port + 101 ))
sampler_pid=""
cleanup() {
  set +e
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null
  [[ -f $tmp/nginx.pid ]] && nginx -p "$tmp/" -c "$tmp/nginx.conf" -s stop 2>/dev/null
  if [[ ${GW_BENCH_KEEP:-0} != 1 && -s $tmp/cids ]]; then
    local cid n=0
    while read -r cid; do
      [[ -n $cid ]] || continue
      curl -sk -o /dev/null -X DELETE -H @"$tmp/auth.hdr" "$base/files/$cid" && n=$((n + 1))
    done < <(sort -u "$tmp/cids")
    echo "bench: deleted the $n bench upload(s) (soft delete; ./gw gc reclaims the bytes; GW_BENCH_KEEP=1 keeps them)"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The API key goes in a 0600 header file (curl -H @file) and the environment (wrk's Lua), never
# in argv.
printf 'X-API-Key: %s\n' "$(cat var/admin.key)" >"$tmp/auth.hdr"
export GW_BENCH_KEY
GW_BENCH_KEY=$(cat var/admin.key)
code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H @"$tmp/auth.hdr" "$base/status")
[[ $code == 200 ]] || { echo "bench: POST /status answered $code, is the stack up?" >&2; exit 1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bytes=$(( size_mib * 1048576 ))
echo "bench: ${size_mib} MiB, ${runs} runs per case, $(nproc) cores, load average before: $load_before"

# ---- the files ----------------------------------------------------------------------------------
mkdir -p "$tmp/www" "$tmp/dav" "$tmp/body"
head -c "$bytes" /dev/urandom >"$tmp/www/same.bin"
cp "$tmp/www/same.bin" "$tmp/fresh.bin"
store_dev=$(stat -c %d var/store 2>/dev/null || echo "?")
[[ $(stat -c %d "$tmp") == "$store_dev" ]] \
  || echo "bench: NOTE: $tmp is not on the store's filesystem: the baselines write elsewhere"

# ---- the baseline nginx -------------------------------------------------------------------------
# Same TLS lines as the gateway (certificate, protocols, ciphers, session cache/timeout/tickets),
# copied from its rendered config; the same worker_processes, user, sendfile/tcp_* settings.
tls_lines=$(grep -E '^[[:space:]]*ssl_(certificate|certificate_key|protocols|ciphers|prefer_server_ciphers|session_cache|session_timeout|session_tickets)[[:space:]]' "$gw_conf" \
  | sed 's/shared:[A-Za-z_]*:/shared:CONTENT_BENCH_SSL:/')
[[ $(grep -c . <<<"$tls_lines") -ge 4 ]] || { echo "bench: could not read the TLS settings of $gw_conf" >&2; exit 1; }
head_lines=$(grep -E '^[[:space:]]*(user|worker_processes)[[:space:]]' "$gw_conf" | sed 's/#.*//')
upload_loc=$(awk '/location = \/upload/,/^[[:space:]]*}/' "$gw_conf")
body_buffer=$(sed -n 's/^[[:space:]]*client_body_buffer_size[[:space:]]*\([^;]*\);.*/\1/p' <<<"$upload_loc" | head -n1)
cat >"$tmp/nginx.conf" <<CONF
$head_lines
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  client_body_temp_path $tmp/body 1 2;
  server {
    listen 127.0.0.1:$baseline_port ssl http2;
$tls_lines
    # Upload baseline: PUT reads the whole body into a temp file, then renames it to dav/.
    location /dav/ {
      root $tmp;
      dav_methods PUT;
      client_max_body_size 200m;
      client_body_buffer_size ${body_buffer:-256k};
      client_body_in_file_only clean;
    }
    # Retrieve baseline: the same bytes as a static file.
    location /www/ { root $tmp; }
  }
}
CONF
nginx -t -q -p "$tmp/" -c "$tmp/nginx.conf" 2>"$tmp/nginx-t.log" || { cat "$tmp/nginx-t.log" >&2; exit 1; }
nginx -p "$tmp/" -c "$tmp/nginx.conf"
for _ in $(seq 50); do [[ -s $tmp/nginx.pid ]] && break; sleep 0.1; done
sleep 0.2
bbase="https://127.0.0.1:$baseline_port"

# ---- helpers --------------------------------------------------------------------------------------
rss_kib() {  # rss_kib <pid>: sets RSS and ANON (VmRSS, RssAnon in KiB) without a fork (10 ms loop)
  local k v rest
  RSS=0 ANON=0
  while read -r k v rest; do
    case $k in VmRSS:) RSS=$v ;; RssAnon:) ANON=$v; return 0 ;; esac
  done 2>/dev/null <"/proc/$1/status" || true
}
rss_all() { local p; for p in "${worker_pids[@]}"; do rss_kib "$p"; echo "$p $RSS $ANON"; done; }
rss_all >"$tmp/rss.start"
# stats <numbers...> -> "best median worst" (best = min; for throughputs call with -r)
stats() {
  local rev=""
  [[ ${1:-} == -r ]] && { rev=r; shift; }
  printf '%s\n' "$@" | sort -g${rev} | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan nan nan"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.4g %.4g %.4g\n", v[1], m, v[NR] }'
}
spread() { awk -v b="$1" -v m="$2" -v w="$3" 'BEGIN { d = w - b; if (d < 0) d = -d; printf "%.0f%%", (m > 0 ? 100 * d / m : 0) }'; }

# Before each timed request: flush dirty pages (the previous case's 100 MiB; with ext4 `discard`
# the freed blocks of deleted files too), so that no case pays for another's writeback.
settle() { [[ ${GW_BENCH_SYNC:-1} == 1 ]] && sync; return 0; }
run_tag="cb$$x$RANDOM"
# follow_task <seconds until the 202>: polls the task of $tmp/resp.json until it succeeded, leaves
# its result (the file object) as .data in $tmp/resp.json and prints the seconds from the upload's
# start until the poll that saw it done (polls every 10 ms; each poll is a new TLS connection)
follow_task() {
  local url start=$EPOCHREALTIME state
  url=$(jq -r '.data.status_url' "$tmp/resp.json")
  while true; do
    curl -sk -o "$tmp/task.json" -H @"$tmp/auth.hdr" "$base$url"
    state=$(jq -r '.data.state' "$tmp/task.json")
    [[ $state == succeeded ]] && break
    [[ $state == failed ]] && { echo "bench: upload task failed: $(head -c 300 "$tmp/task.json")" >&2; exit 1; }
    sleep 0.01
  done
  jq '{data: .data.result}' "$tmp/task.json" >"$tmp/resp.json"
  awk -v a="$1" -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", a + (e - s) }'
}
upload() {  # upload <file> <name> <tag> -> "seconds"; records the CID. X-Request-Id = $run_tag-<tag>
  local out code t
  settle
  out=$(curl -sk -o "$tmp/resp.json" -w '%{http_code} %{time_total}' -H @"$tmp/auth.hdr" -H "X-Request-Id: $run_tag-$3" \
        -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$base/upload?filename=$2")
  read -r code t <<<"$out"
  if [[ $code == 202 ]]; then  # GW_ASYNC_THRESHOLD: the file is stored by a task; time until it is
    t=$(follow_task "$t")
    code=201
  fi
  [[ $code == 200 || $code == 201 ]] || { echo "bench: POST /upload answered $code: $(head -c 300 "$tmp/resp.json")" >&2; exit 1; }
  jq -r '.data.cid' "$tmp/resp.json" >>"$tmp/cids"
  [[ $(jq -r '.data.size' "$tmp/resp.json") == "$bytes" ]] || { echo "bench: upload stored a wrong size" >&2; exit 1; }
  echo "$t"
}
put_baseline() {  # -> seconds. A new name each time (no overwrite: no unlink of the previous
  local out code t  # 100 MiB, maybe still under writeback, inside the timing); the old ones are
  rm -f "$tmp"/dav/*  # removed before the clock starts
  settle
  out=$(curl -sk -o /dev/null -w '%{http_code} %{time_total}' -X PUT \
        -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$bbase/dav/body-$RANDOM$RANDOM.bin")
  read -r code t <<<"$out"
  [[ $code == 201 ]] || { echo "bench: baseline PUT answered $code" >&2; exit 1; }
  echo "$t"
}
patch_fresh() { head -c 32 /dev/urandom | dd of="$tmp/fresh.bin" conv=notrunc status=none; }

# ---- 1. upload --------------------------------------------------------------------------------------
echo "bench: upload (interleaved, order permuted: nginx PUT, same bytes, fresh bytes) x $runs"
first=$(upload "$tmp/www/same.bin" content-bench-same.bin first)   # stores it; later runs dedupe
same_cid=$(tail -n1 "$tmp/cids")
put_baseline "$tmp/www/same.bin" >/dev/null                   # warm the baseline's paths too
up_base=(); up_same=(); up_fresh=()
# The order goes through the 6 permutations, so that no case always follows the same one (a
# request can pay for the previous one's aftermath: writeback, nginx unlinking a 100 MiB temp file).
# A rotation would not do: put/same/fresh, same/fresh/put, ... keeps "same" always after "put".
orders=(012 120 201 021 102 210)
names=(put same fresh)
for i in $(seq "$runs"); do
  order=${orders[(i - 1) % 6]}
  for k in 0 1 2; do
    sleep 0.2  # let the previous request's cleanup finish
    case ${order:k:1} in
      0) up_base+=("$(put_baseline "$tmp/www/same.bin")") ;;
      1) up_same+=("$(upload "$tmp/www/same.bin" content-bench-same.bin "same-$i")") ;;
      2) patch_fresh; up_fresh+=("$(upload "$tmp/fresh.bin" "content-bench-fresh-$i.bin" "fresh-$i")") ;;
    esac
  done
  echo "  run $i (${names[${order:0:1}]}, ${names[${order:1:1}]}, ${names[${order:2:1}]}):" \
       "nginx_put ${up_base[-1]} s  upload_same ${up_same[-1]} s  upload_fresh ${up_fresh[-1]} s"
done
# Where the time goes, from the gateway's JSON access log (our X-Request-Id): upstream_response_time
# is the app (FastCGI: hash/CID, store, database), request_time minus it is nginx receiving the body.
access_log=$(sed -n 's/^[[:space:]]*access_log[[:space:]]\{1,\}\([^ ;]*\)[[:space:]]\{1,\}gw_json.*/\1/p' "$gw_conf" | head -n1)
split_same="" split_fresh=""
if [[ -r $access_log ]]; then
  sleep 1.2  # the log is buffered with flush=1s
  split_of() {  # split_of <tag prefix> -> "receive_median app_median"
    local rows rcv app
    rows=$(grep -F "\"request_id\":\"$run_tag-$1" "$access_log" \
      | jq -r '[(.request_time - (.upstream_response_time | tonumber)), (.upstream_response_time | tonumber)] | @tsv')
    [[ -n $rows ]] || return 0
    local -a col
    mapfile -t col < <(cut -f1 <<<"$rows"); read -r _ rcv _ <<<"$(stats "${col[@]}")"
    mapfile -t col < <(cut -f2 <<<"$rows"); read -r _ app _ <<<"$(stats "${col[@]}")"
    printf '%.3f %.3f\n' "$rcv" "$app"
  }
  split_same=$(split_of same-)
  split_fresh=$(split_of fresh-)
  echo "  access log medians (nginx receive / app): same ${split_same:-?}, fresh ${split_fresh:-?} s"
fi
echo "  (first upload of the same bytes, not counted: $first s; HTTP version: gateway" \
  "$(curl -sk -o /dev/null -w '%{http_version}' "$base/health"), baseline $(curl -sk -o /dev/null -w '%{http_version}' "$bbase/www/"))"

# ---- 2. worker RSS during one more fresh upload -------------------------------------------------------
sampler() {  # writes "pid pre max anon_pre anon_max samples" lines to $tmp/rss when $tmp/rss.stop appears
  local -a pre=() max=() apre=() amax=()
  local p n=0 fd next now wait_us
  exec {fd}<> <(:)  # read -t on a pipe that never has data: a sleep without a fork
  for p in "${worker_pids[@]}"; do rss_kib "$p"; pre[p]=$RSS; max[p]=$RSS; apre[p]=$ANON; amax[p]=$ANON; done
  : >"$tmp/rss.ready"
  next=${EPOCHREALTIME/./}
  while [[ ! -e $tmp/rss.stop ]]; do
    for p in "${worker_pids[@]}"; do
      rss_kib "$p"; if (( RSS > max[p] )); then max[p]=$RSS; fi; if (( ANON > amax[p] )); then amax[p]=$ANON; fi
    done
    n=$((n + 1))
    # every 10 ms on a fixed schedule (the reads themselves take time, more so under load)
    next=$((next + 10000)); now=${EPOCHREALTIME/./}; wait_us=$((next - now))
    if (( wait_us > 0 )); then printf -v wait_us '0.%06d' "$wait_us"; read -r -t "$wait_us" -u "$fd" _ || true
    else next=$now; fi
  done
  for p in "${worker_pids[@]}"; do echo "$p ${pre[p]} ${max[p]} ${apre[p]} ${amax[p]} $n"; done >"$tmp/rss"
}
patch_fresh
sampler &
sampler_pid=$!
for _ in $(seq 100); do [[ -e $tmp/rss.ready ]] && break; sleep 0.01; done
rss_t0=$(date +%s.%N)
rss_upload=$(upload "$tmp/fresh.bin" content-bench-rss.bin rss)
rss_t1=$(date +%s.%N)
: >"$tmp/rss.stop"
wait "$sampler_pid"; sampler_pid=""
rss_growth_kib=$(awk '{ g = $3 - $2; if (g > m) m = g } END { print m + 0 }' "$tmp/rss")
rss_samples=$(awk 'NR == 1 { print $6 }' "$tmp/rss")
anon_growth_kib=$(awk '{ g = $5 - $4; if (g > m) m = g } END { print m + 0 }' "$tmp/rss")
rss_rate=$(awk -v n="$rss_samples" -v a="$rss_t0" -v b="$rss_t1" 'BEGIN { printf "%.0f", (b > a ? n / (b - a) : 0) }')
echo "bench: worker RSS during a ${rss_upload} s upload (${rss_samples} samples, ~${rss_rate}/s), KiB pre -> max:"
awk '{ printf "  worker %s: VmRSS %d -> %d (+%d), of which RssAnon %d -> %d (+%d)\n", $1, $2, $3, $3 - $2, $4, $5, $5 - $4 }' "$tmp/rss"
echo "  (VmRSS counts file-backed pages too, e.g. each thread's own mapping of libmagic's magic.mgc;" \
     "RssAnon is the heap/stack part)"

# ---- 3. retrieve -------------------------------------------------------------------------------------
get_speed() {  # get_speed <url> [curl args] -> MB/s
  local url=$1 out code speed size; shift
  settle
  out=$(curl -sk -o /dev/null -w '%{http_code} %{speed_download} %{size_download}' "$@" "$url")
  read -r code speed size <<<"$out"
  [[ $code == 200 && $size == "$bytes" ]] || { echo "bench: GET $url answered $code with $size bytes" >&2; exit 1; }
  awk -v s="$speed" 'BEGIN { printf "%.1f", s / 1e6 }'
}
echo "bench: retrieve, one connection (interleaved, alternating which goes first: nginx static, gateway) x $runs"
get_speed "$bbase/www/same.bin" >/dev/null
get_speed "$base/retrieve/$same_cid" -H @"$tmp/auth.hdr" >/dev/null
get_base=(); get_gw=()
for i in $(seq "$runs"); do
  if (( i % 2 )); then  # alternate which goes first
    get_base+=("$(get_speed "$bbase/www/same.bin")")
    get_gw+=("$(get_speed "$base/retrieve/$same_cid" -H @"$tmp/auth.hdr")")
  else
    get_gw+=("$(get_speed "$base/retrieve/$same_cid" -H @"$tmp/auth.hdr")")
    get_base+=("$(get_speed "$bbase/www/same.bin")")
  fi
  echo "  run $i: nginx_static ${get_base[-1]} MB/s  retrieve ${get_gw[-1]} MB/s"
done

cat >"$tmp/get.lua" <<'LUA'
local key = os.getenv("GW_BENCH_KEY")
if key and key ~= "" then wrk.headers["X-API-Key"] = key end
LUA
wrk_mbs() {  # wrk_mbs <url> <seconds> -> "MB/s requests non2xx errors"
  local out
  out=$(wrk -t2 -c"$wrk_connections" -d"${2}s" --timeout 60s -s "$tmp/get.lua" "$1")
  awk -v want="$bytes" '
    function b(s,  n, u) { n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      return n * (u == "KB" ? 1024 : u == "MB" ? 1048576 : u == "GB" ? 1073741824 : u == "TB" ? 1099511627776 : 1) }
    / requests in / { req = $1; secs = $4 + 0; read = b($5) }
    /Non-2xx or 3xx/ { bad = $NF }
    /Socket errors/ { err = $0; sub(/.*Socket errors: /, "", err); gsub(/, /, ",", err); gsub(/ /, "=", err) }
    END { printf "%.1f %d %d %s\n", (secs > 0 ? read / secs / 1e6 : 0), req, bad + 0, (err == "" ? "none" : err) }' <<<"$out"
}
# ABBA (static, gateway, gateway, static), each half the time: load that drifts during the 2 x
# WRK_SECONDS hits both sides alike. MB/s = the mean of a side's two halves.
half=$(( wrk_seconds / 2 > 0 ? wrk_seconds / 2 : 1 ))
echo "bench: retrieve with wrk -c$wrk_connections, ${half}s x 2 per side, ABBA (nginx static, gateway, gateway, static)"
read -r s1 s1r s1b s1e <<<"$(wrk_mbs "$bbase/www/same.bin" "$half")"
read -r g1 g1r g1b g1e <<<"$(wrk_mbs "$base/retrieve/$same_cid" "$half")"
read -r g2 g2r g2b g2e <<<"$(wrk_mbs "$base/retrieve/$same_cid" "$half")"
read -r s2 s2r s2b s2e <<<"$(wrk_mbs "$bbase/www/same.bin" "$half")"
wrk_base=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
wrk_gw=$(awk -v a="$g1" -v b="$g2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
wrk_gw_bad=$(( g1b + g2b ))
echo "  nginx_static $s1 / $s2 MB/s ($((s1r + s2r)) responses, non-2xx $((s1b + s2b)), socket errors $s1e / $s2e)"
echo "  retrieve     $g1 / $g2 MB/s ($((g1r + g2r)) responses, non-2xx $wrk_gw_bad, socket errors $g1e / $g2e)"
(( wrk_gw_bad == 0 )) || echo "bench: WARNING: the gateway answered $wrk_gw_bad non-2xx responses under wrk"

# ---- 4. CID computation (optional) -------------------------------------------------------------------
cpp_sha="" cpp_cid="" js_runs=() js_cid=""
source bench/tools.sh
ensure_bench_tools 2>"$tmp/build.log" || tail -n 20 "$tmp/build.log" >&2
micro=$BENCH_BUILD_DIR/bench/micro_bench
if [[ -x $micro ]]; then
  echo "bench: $micro (built $(date -r "$micro" '+%F %T')), BM_Sha256 and BM_ImportCidV1 on 100 MiB, 3 repetitions"
  "$micro" --benchmark_filter='^BM_(Sha256|ImportCidV1)/104857600$' --benchmark_repetitions=3 \
           --benchmark_format=json >"$tmp/micro.json" 2>"$tmp/micro.err" || { cat "$tmp/micro.err" >&2; }
  mb_of() { jq -r --arg n "$1" '[.benchmarks[] | select(.run_type == "iteration" and (.name | startswith($n))) | .bytes_per_second / 1e6 | floor] | map(tostring) | join(" ")' "$tmp/micro.json" 2>/dev/null || true; }
  read -r -a cpp_sha_runs <<<"$(mb_of BM_Sha256/104857600)"
  read -r -a cpp_cid_runs <<<"$(mb_of BM_ImportCidV1/104857600)"
  (( ${#cpp_sha_runs[@]} )) && cpp_sha=$(stats -r "${cpp_sha_runs[@]}")
  (( ${#cpp_cid_runs[@]} )) && cpp_cid=$(stats -r "${cpp_cid_runs[@]}")
  echo "  sha256 MB/s: ${cpp_sha_runs[*]:-?}   import_cid_v1 MB/s: ${cpp_cid_runs[*]:-?}"
else
  echo "bench: skipped the C++ CID benchmark: no $micro (configure a build dir with -DGW_BENCH=ON," \
       "e.g. cmake -S . -B /tmp/gw-bench -DCMAKE_BUILD_TYPE=Release -DGW_TESTS=OFF -DGW_BENCH=ON &&" \
       "cmake --build /tmp/gw-bench --target micro_bench, then GW_BENCH_BUILD_DIR=/tmp/gw-bench)"
fi
if command -v node >/dev/null && [[ -d tests/reference/node_modules ]]; then
  echo "bench: node bench/js/importer_bench.mjs on the same file, $runs runs"
  node bench/js/importer_bench.mjs "$tmp/www/same.bin" "$runs" >"$tmp/js.out" 2>&1 || { cat "$tmp/js.out" >&2; }
  mapfile -t js_runs < <(awk '/^run [0-9]+:/ { print $5 }' "$tmp/js.out")
  js_cid=$(sed -n 's/.* cid=\([^ ]*\).*/\1/p' "$tmp/js.out")
  echo "  MB/s: ${js_runs[*]:-?}   cid $js_cid $( [[ $js_cid == "$same_cid" ]] && echo "== the gateway's" || echo "!= the gateway's $same_cid" )"
else
  echo "bench: skipped the JS importer: needs node and (cd tests/reference && npm ci)"
fi

rss_all >"$tmp/rss.end"
echo "bench: worker RSS over the whole bench (KiB, start -> end; threads that served their first upload grow):"
join "$tmp/rss.start" "$tmp/rss.end" | awk '{ printf "  worker %s: VmRSS %d -> %d (%+d), RssAnon %d -> %d (%+d)\n", $1, $2, $4, $4 - $2, $3, $5, $5 - $3 }'
drift_kib=$(join "$tmp/rss.start" "$tmp/rss.end" | awk '{ g = $4 - $2; if (g > m) m = g } END { print m + 0 }')
drift_anon_kib=$(join "$tmp/rss.start" "$tmp/rss.end" | awk '{ g = $5 - $3; if (g > m) m = g } END { print m + 0 }')

# ---- table --------------------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
read -r b_best b_med b_worst <<<"$(stats "${up_base[@]}")"
read -r s_best s_med s_worst <<<"$(stats "${up_same[@]}")"
read -r f_best f_med f_worst <<<"$(stats "${up_fresh[@]}")"
read -r gb_best gb_med gb_worst <<<"$(stats -r "${get_base[@]}")"
read -r gg_best gg_med gg_worst <<<"$(stats -r "${get_gw[@]}")"
ratio() { awk -v a="$1" -v b="$2" -v pct="${3:-}" 'BEGIN { if (b <= 0) { print "-"; exit }
  if (pct) printf "%.0f%%", 100 * a / b; else printf "%.2fx", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print (ok ? "ok" : "MISSED") }'; }
n() { awk -v a="$1" 'BEGIN { printf "%.3f", a }'; }   # seconds
m() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }   # MB/s

echo
echo "== content_bench: ${size_mib} MiB, ${runs} runs, median (best); load average $load_before before, $load_after after"
row() { printf '%-22s %-22s %-24s %-16s %-8s %s\n' "$@"; }
row case value baseline "ratio med(best)" target verdict
row "upload_same (s)" "$(n "$s_med") ($(n "$s_best"))" "$(n "$b_med") ($(n "$b_best")) put" \
  "$(ratio "$s_med" "$b_med") ($(ratio "$s_best" "$b_best"))" "<=1.5x" "$(verdict "$(awk -v a="$s_med" -v b="$b_med" 'BEGIN{print a/b}')" "<=" 1.5)"
row "upload_fresh (s)" "$(n "$f_med") ($(n "$f_best"))" "$(n "$b_med") ($(n "$b_best")) put" \
  "$(ratio "$f_med" "$b_med") ($(ratio "$f_best" "$b_best"))" "<=1.5x" "$(verdict "$(awk -v a="$f_med" -v b="$b_med" 'BEGIN{print a/b}')" "<=" 1.5)"
if [[ -n $split_same ]]; then
  read -r rs as <<<"$split_same"; read -r rf af <<<"${split_fresh:-? ?}"
  # What the gateway adds to nginx receiving the body, if its nginx received as fast as the
  # baseline did: (put + app) / put. Less exposed to the noise of the receive phase.
  row "  same = nginx + app" "$rs + $as" "fresh: $rf + $af" \
    "$(awk -v p="$b_med" -v a="$as" -v f="$af" 'BEGIN { printf "%.2fx %.2fx", (p + a) / p, (p + f) / p }')" "<=1.5x" \
    "info: (put + app) / put, same fresh"
fi
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
rss_mib=$(mib "$rss_growth_kib")
row "worker_rss_growth" "${rss_mib} MiB (anon $(mib "$anon_growth_kib"))" "-" "-" "<=16MiB" "$(verdict "$rss_mib" "<=" 16)"
row "worker_rss_bench_drift" "$(mib "$drift_kib") MiB (anon $(mib "$drift_anon_kib"))" "-" "-" "-" "info"
row "retrieve_curl (MB/s)" "$(m "$gg_med") ($(m "$gg_best"))" "$(m "$gb_med") ($(m "$gb_best")) static" \
  "$(ratio "$gg_med" "$gb_med" pct) ($(ratio "$gg_best" "$gb_best" pct))" ">=80%" "$(verdict "$(awk -v a="$gg_med" -v b="$gb_med" 'BEGIN{print a/b}')" ">=" 0.8)"
row "retrieve_wrk_c$wrk_connections (MB/s)" "$(m "$wrk_gw")" "$(m "$wrk_base") static" \
  "$(ratio "$wrk_gw" "$wrk_base" pct)" ">=80%" "$(verdict "$(awk -v a="$wrk_gw" -v b="$wrk_base" 'BEGIN{print (b > 0 ? a/b : 0)}')" ">=" 0.8)"
if [[ -n $cpp_cid && -n $cpp_sha ]]; then
  read -r c_best c_med _ <<<"$cpp_cid"; read -r h_best h_med _ <<<"$cpp_sha"
  row "cid_cpp/sha256 (MB/s)" "$(m "$c_med") ($(m "$c_best"))" "$(m "$h_med") ($(m "$h_best")) sha" \
    "$(ratio "$c_med" "$h_med" pct) ($(ratio "$c_best" "$h_best" pct))" "-" "info"
fi
if [[ -n $cpp_cid && ${#js_runs[@]} -gt 0 ]]; then
  read -r j_best j_med _ <<<"$(stats -r "${js_runs[@]}")"
  row "cid_cpp/js (MB/s)" "$(m "$c_med") ($(m "$c_best"))" "$(m "$j_med") ($(m "$j_best")) js" \
    "$(ratio "$c_med" "$j_med") ($(ratio "$c_best" "$j_best"))" "-" "info"
fi
echo
echo "noise (spread = (worst - best) / median over the runs):" \
  "nginx_put $(spread "$b_best" "$b_med" "$b_worst"), upload_same $(spread "$s_best" "$s_med" "$s_worst")," \
  "upload_fresh $(spread "$f_best" "$f_med" "$f_worst"), static $(spread "$gb_best" "$gb_med" "$gb_worst")," \
  "retrieve $(spread "$gg_best" "$gg_med" "$gg_worst")"

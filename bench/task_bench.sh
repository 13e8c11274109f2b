#!/usr/bin/env bash
# Large uploads as tasks: latency from the 202 to `succeeded`, against the stack of `./gw up`,
# next to baselines measured in the same run on the same files and filesystem.
#
#   accept_202     POST /upload until the 202 (TLS receive into nginx's temp file, FastCGI, link
#                  into the spool + fsync, job row + audit row): curl %{time_total}
#   job            the job's own latency from the server's timestamps: finished_at - created_at
#                  (created in the request's transaction, so this is "202 to succeeded" without
#                  any client polling in it: queue wake-up, claim, import, commit)
#   client_total   upload start until a status poll (every 10 ms) sees `succeeded`
#   baselines      copy_fsync: `cp` of the same file into the store's filesystem + `sync` of it
#                  (the floor for writing the bytes durably once); sha256: `sha256sum` of it (the
#                  floor for reading and hashing them). The job does both, plus the UnixFS DAG.
# Usage: bench/task_bench.sh [runs=5] [sizes_mib="10 100"]
# Needs: a running `./gw up` stack (var/admin.key, var/stack.env), curl, jq.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
runs=${1:-5}
sizes=${2:-"10 100"}
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || { echo "usage: bench/task_bench.sh [runs=5] [sizes_mib=\"10 100\"]" >&2; exit 2; }
for tool in curl jq sha256sum; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }; done
[[ -f var/admin.key ]] || { echo "bench: no var/admin.key: run ./gw up first" >&2; exit 1; }
https_port=$(sed -n 's/^GW_HTTPS_PORT=//p' var/stack.env 2>/dev/null || true)
base="https://127.0.0.1:${https_port:-8443}"

# Beside the store, so the copy baseline writes to the same filesystem as the job.
tmp=$(mktemp -d "$(readlink -f var)/task_bench.XXXXXX")
chmod 0700 "$tmp"
cleanup() {
  set +e
  if [[ ${GW_BENCH_KEEP:-0} != 1 && -s $tmp/cids ]]; then
    while read -r cid; do curl -sk -o /dev/null -X DELETE -H @"$tmp/auth.hdr" "$base/files/$cid"; done <"$tmp/cids"
    echo "bench: soft-deleted the bench uploads (./gw gc reclaims the bytes; GW_BENCH_KEEP=1 keeps them)"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
printf 'X-API-Key: %s\n' "$(cat var/admin.key)" >"$tmp/auth.hdr"
code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H @"$tmp/auth.hdr" "$base/status")
[[ $code == 200 ]] || { echo "bench: POST /status answered $code, is the stack up?" >&2; exit 1; }

stats() {  # best median worst of the arguments
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.4f %.4f %.4f\n", v[1], m, v[NR] }'
}
iso_seconds() { date -d "$1" +%s.%N; }

echo "bench: task latency, $runs runs per size, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-16s %-24s %-24s %-24s\n' size case "best" "median" "worst"
for mib in $sizes; do
  bytes=$(( mib * 1048576 ))
  head -c "$bytes" /dev/urandom >"$tmp/file.bin"
  accept=() job=() total=() copy=() hash=()
  for (( r = 0; r < runs; r++ )); do
    head -c 32 /dev/urandom | dd of="$tmp/file.bin" conv=notrunc status=none  # new bytes: a real store write
    sync
    start=$EPOCHREALTIME
    out=$(curl -sk -o "$tmp/resp.json" -w '%{http_code} %{time_total}' -H @"$tmp/auth.hdr" \
          -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/file.bin" "$base/upload?filename=bench-$mib.bin")
    read -r code t <<<"$out"
    [[ $code == 202 ]] || { echo "bench: ${mib} MiB upload answered $code (is GW_ASYNC_THRESHOLD above it?)" >&2; exit 1; }
    url=$(jq -r '.data.status_url' "$tmp/resp.json")
    while true; do
      curl -sk -o "$tmp/task.json" -H @"$tmp/auth.hdr" "$base$url"
      state=$(jq -r '.data.state' "$tmp/task.json")
      [[ $state == succeeded ]] && break
      [[ $state == failed ]] && { echo "bench: task failed: $(head -c 300 "$tmp/task.json")" >&2; exit 1; }
      sleep 0.01
    done
    end=$EPOCHREALTIME
    jq -r '.data.result.cid' "$tmp/task.json" >>"$tmp/cids"
    created=$(iso_seconds "$(jq -r '.data.created_at' "$tmp/task.json")")
    finished=$(iso_seconds "$(jq -r '.data.finished_at' "$tmp/task.json")")
    accept+=("$t")
    job+=("$(awk -v a="$created" -v b="$finished" 'BEGIN { printf "%.4f", b - a }')")
    total+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')")
    sync
    s=$EPOCHREALTIME; cp "$tmp/file.bin" "$tmp/copy.bin"; sync "$tmp/copy.bin"; e=$EPOCHREALTIME
    copy+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.4f", b - a }')"); rm -f "$tmp/copy.bin"
    s=$EPOCHREALTIME; sha256sum "$tmp/file.bin" >/dev/null; e=$EPOCHREALTIME
    hash+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.4f", b - a }')")
  done
  for c in accept_202 job client_total copy_fsync sha256; do
    case $c in
      accept_202) v=("${accept[@]}") ;; job) v=("${job[@]}") ;; client_total) v=("${total[@]}") ;;
      copy_fsync) v=("${copy[@]}") ;; sha256) v=("${hash[@]}") ;;
    esac
    read -r b m w <<<"$(stats "${v[@]}")"
    printf '%-10s %-16s %-24s %-24s %-24s\n' "${mib}MiB" "$c (s)" "$b" "$m" "$w"
    [[ $c == job ]] && job_med=$m
    [[ $c == copy_fsync ]] && copy_med=$m
  done
  awk -v j="$job_med" -v c="$copy_med" -v mib="$mib" \
    'BEGIN { printf "%-10s job / copy_fsync (median): %.2fx; job throughput %.0f MB/s\n", mib "MiB", j / c, mib * 1.048576 / j }'
done
echo "bench: load average after $(cut -d' ' -f1-3 /proc/loadavg)"

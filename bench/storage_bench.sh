#!/usr/bin/env bash
# The two storage backends side by side: upload and retrieve through two running stacks, one
# with the embedded store and one with GW_STORAGE=filebase (on the Filebase double, or on
# Filebase itself), in one run, on the same fresh random files.
#
#   upload       POST /upload of a fresh file until it is stored: a 201's curl time, or for a
#                task (>= GW_ASYNC_THRESHOLD) the time to the 202 plus the job's own latency
#                from the server's timestamps (finished_at - created_at)
#   retrieve     GET /retrieve/<cid>, whole file, one connection (curl %{time_total});
#                `retrieve_first` is the first GET of the CID (Filebase: nginx's cache misses
#                and fetches the object with the presigned URL), `retrieve` the median of the
#                later ones (Filebase: from nginx's disk cache)
# Usage: bench/storage_bench.sh LOCAL_REPO FILEBASE_REPO [runs=5] [sizes_mib="1 100"]
#   each *_REPO is a checkout whose `./gw up` stack is running (var/admin.key, var/stack.env)
# Needs: curl, jq.
set -euo pipefail
local_repo=${1:?usage: bench/storage_bench.sh LOCAL_REPO FILEBASE_REPO [runs] [sizes_mib]}
filebase_repo=${2:?usage: bench/storage_bench.sh LOCAL_REPO FILEBASE_REPO [runs] [sizes_mib]}
runs=${3:-5}
sizes=${4:-"1 100"}
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }; done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stack_url() {  # stack_url <repo>
  local port
  port=$(sed -n 's/^GW_HTTPS_PORT=//p' "$1/var/stack.env" 2>/dev/null || true)
  echo "https://127.0.0.1:${port:-8443}"
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# upload_once <base> <key> <file>: prints "<seconds until stored> <cid>"
upload_once() {
  local base=$1 key=$2 file=$3 out code total id state task
  out=$(curl -sk -o "$tmp/up.json" -w '%{http_code} %{time_total}' -H "X-API-Key: $key" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$file" "$base/upload?filename=bench.bin")
  code=${out% *} total=${out#* }
  if [[ $code == 201 ]]; then echo "$total $(jq -r .data.cid "$tmp/up.json")"; return; fi
  [[ $code == 202 ]] || { echo "bench: upload answered $code: $(cat "$tmp/up.json")" >&2; exit 1; }
  id=$(jq -r .data.task_id "$tmp/up.json")
  for (( i = 0; i < 6000; i++ )); do
    task=$(curl -sk -H "X-API-Key: $key" "$base/tasks/$id/status")
    state=$(jq -r .data.state <<<"$task")
    [[ $state == succeeded || $state == failed ]] && break
    sleep 0.05
  done
  [[ $state == succeeded ]] || { echo "bench: task $id: $task" >&2; exit 1; }
  jq -r --arg t "$total" '.data as $d | (($d.finished_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) + ($d.finished_at | capture("\\.(?<f>[0-9]+)Z$").f | ("0." + .) | tonumber)) - (($d.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) + ($d.created_at | capture("\\.(?<f>[0-9]+)Z$").f | ("0." + .) | tonumber)) + ($t | tonumber) | tostring + " " + $d.result.cid' <<<"$task"
}

retrieve_once() {  # retrieve_once <base> <key> <cid>: seconds
  curl -sk -o /dev/null -w '%{time_total}' -H "X-API-Key: $1" "$2/retrieve/$3" 2>/dev/null || true
}

printf 'bench: %s runs per case, fresh random files; %s\n' "$runs" "$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
printf '%-8s %-9s %12s %16s %12s\n' size backend upload_s retrieve_first_s retrieve_s
for mib in $sizes; do
  for backend in local filebase; do
    repo=$local_repo; [[ $backend == filebase ]] && repo=$filebase_repo
    base=$(stack_url "$repo") key=$(cat "$repo/var/admin.key")
    : >"$tmp/up" ; : >"$tmp/first" ; : >"$tmp/again"
    for (( r = 0; r < runs; r++ )); do
      head -c "$(( mib << 20 ))" /dev/urandom >"$tmp/file"
      read -r seconds cid < <(upload_once "$base" "$key" "$tmp/file")
      echo "$seconds" >>"$tmp/up"
      retrieve_once "$key" "$base" "$cid" >>"$tmp/first"; echo >>"$tmp/first"
      for (( g = 0; g < 3; g++ )); do retrieve_once "$key" "$base" "$cid" >>"$tmp/again"; echo >>"$tmp/again"; done
      curl -sk -o /dev/null -X DELETE -H "X-API-Key: $key" "$base/files/$cid"
    done
    printf '%-8s %-9s %12.3f %16.3f %12.3f\n' "${mib}MiB" "$backend" "$(median <"$tmp/up")" \
      "$(grep . "$tmp/first" | median)" "$(grep . "$tmp/again" | median)"
  done
done

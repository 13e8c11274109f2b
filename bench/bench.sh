#!/usr/bin/env bash
# The benchmark driver of `./gw bench` (gw.d/bench.sh starts the stack and calls this). Runs the
# scenarios of bench/scenarios/*.sh against that stack, each case beside its ceiling measured in
# the same run, and writes bench/results/<date>-<commit>.{md,json}. bench/README.md explains the
# scenarios, the ceilings, the settings and the benchmark configuration.
#
# Usage (through ./gw): ./gw bench [--quick] [--soak] [--only=requests,retrieve,...]
#        bench/bench.sh --self-check   the report generator on a fixture (no stack; ./gw test)
# Settings (environment): GW_BENCH_RUNS (3; --quick 3), GW_BENCH_SECONDS (10 per wrk run;
#   --quick 2), GW_BENCH_LISTING_FILES (1000000; --quick 20000), GW_BENCH_SOAK_SECONDS (300),
#   GW_BENCH_RESULTS_DIR (bench/results)
# From gw.d/bench.sh: BENCH_BASE BENCH_CA BENCH_ADMIN_KEY_FILE BENCH_DB_DSN BENCH_SUPER_DSN
#   BENCH_RUN_DIR BENCH_WORK BENCH_TOOLS BENCH_NGINX_CONF BENCH_PG_VERSION BENCH_MIGRATIONS_DIR
#   BENCH_ACCESS_LOG
set -euo pipefail
BENCH_REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$BENCH_REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh

quick=0 soak=0 self_check=0 only=""
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    --soak) soak=1 ;;
    --self-check) self_check=1 ;;
    --only=*) only=${arg#--only=} ;;
    *) echo "usage: bench/bench.sh [--quick] [--soak] [--only=SCENARIO,...] | --self-check" >&2; exit 2 ;;
  esac
done
if (( self_check )); then bench_self_check; exit; fi

BENCH_RUNS=${GW_BENCH_RUNS:-3}
BENCH_SECONDS=${GW_BENCH_SECONDS:-$(( quick ? 2 : 10 ))}
BENCH_LISTING_FILES=${GW_BENCH_LISTING_FILES:-$(( quick ? 20000 : 1000000 ))}
BENCH_SOAK_SECONDS=${GW_BENCH_SOAK_SECONDS:-300}
export BENCH_QUICK=$quick   # the scenarios may shorten themselves
[[ $BENCH_RUNS =~ ^[1-9][0-9]*$ && $BENCH_SECONDS =~ ^[1-9][0-9]*$ ]] || bench_die "GW_BENCH_RUNS and GW_BENCH_SECONDS must be positive integers"
for tool in curl wrk jq nginx psql; do command -v "$tool" >/dev/null || bench_die "$tool is missing"; done
: "${BENCH_BASE:?run through ./gw bench}" "${BENCH_ADMIN_KEY_FILE:?}" "${BENCH_WORK:?}" "${BENCH_TOOLS:?}"

scenarios=(requests retrieve upload cid listing queue)
(( soak )) && scenarios+=(soak)
if [[ -n $only ]]; then IFS=, read -r -a scenarios <<<"$only"; fi
for s in "${scenarios[@]}"; do [[ -f bench/scenarios/$s.sh ]] || bench_die "no scenario '$s' (bench/scenarios/)"; done

BENCH_TMP=$BENCH_WORK/tmp
mkdir -p "$BENCH_TMP"
# what a scenario started in the background (e.g. fcgi_hello) leaves a pid file here
bench_stop_background() { local f; for f in "$BENCH_TMP"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done; return 0; }
trap bench_stop_background EXIT
BENCH_ROWS=$BENCH_TMP/rows.jsonl
: >"$BENCH_ROWS"
export BENCH_ROWS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%FT%TZ)
bench_log "scenarios: ${scenarios[*]}; $BENCH_RUNS runs, ${BENCH_SECONDS}s per wrk run; load average $load_before"
bench_setup_users
failed=()
for s in "${scenarios[@]}"; do
  bench_log "---- scenario $s"
  # shellcheck source=/dev/null
  source "bench/scenarios/$s.sh"
  # In a subshell, so that a scenario that fails (bench_die) costs its own rows only, not the
  # report of the others (bench_record appends to $BENCH_ROWS, a file).
  if ! ("scenario_$s"); then
    bench_log "scenario $s FAILED: its rows are missing from the report"
    failed+=("$s")
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
results_dir=${GW_BENCH_RESULTS_DIR:-bench/results}
mkdir -p "$results_dir"
suffix=""
(( quick )) && suffix=-quick
name="$(date -u +%Y%m%d-%H%M%S)-$commit$suffix"
jq -n --slurpfile rows "$BENCH_ROWS" \
  --arg started "$started" --arg finished "$(date -u +%FT%TZ)" --arg commit "$commit" --argjson dirty "$dirty" \
  --arg cpu "$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)" \
  --argjson cores "$(nproc)" --arg kernel "$(uname -sr)" \
  --arg nginx "$(nginx -v 2>&1 | sed 's/^nginx version: //')" --arg pg "${BENCH_PG_VERSION:-?}" \
  --arg curl "$(curl --version | head -n1 | cut -d' ' -f1-2)" --arg wrk "$(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)" \
  --arg load_before "$load_before" --arg load_after "$load_after" \
  --argjson runs "$BENCH_RUNS" --argjson seconds "$BENCH_SECONDS" --argjson quick "$quick" \
  --argjson listing_files "$BENCH_LISTING_FILES" --argjson soak_seconds "$BENCH_SOAK_SECONDS" \
  --arg scenarios "${scenarios[*]}" \
  '{started: $started, finished: $finished,
    git: {commit: $commit, dirty: $dirty},
    machine: {cores: $cores, cpu: $cpu, kernel: $kernel, load_before: $load_before, load_after: $load_after},
    versions: {nginx: $nginx, postgresql: $pg, curl: $curl, wrk: $wrk},
    settings: {runs: $runs, seconds_per_wrk_run: $seconds, quick: ($quick == 1),
               listing_files: $listing_files, soak_seconds: $soak_seconds, scenarios: ($scenarios | split(" "))},
    rows: $rows}' >"$results_dir/$name.json"
bench_markdown "$results_dir/$name.json" >"$results_dir/$name.md"
cat "$results_dir/$name.md"
bench_log "report: $results_dir/$name.md and $results_dir/$name.json"
if (( ${#failed[@]} )); then
  bench_log "FAILED scenarios (see above): ${failed[*]}"
  exit 1
fi

# bench/lib.sh: what the scenarios of bench/bench.sh share: measuring (wrk, curl), recording a
# row of the report, and writing the report. Sourced by bench/bench.sh.
# shellcheck shell=bash

bench_log() { printf 'bench: %s\n' "$*" >&2; }
bench_die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

# ---- HTTP -------------------------------------------------------------------------------------------
# bench_curl <curl args...>: TLS against the stack's own certificate
bench_curl() { curl -sS --cacert "$BENCH_CA" "$@"; }

# bench_register <email>: a user with a plan no benchmark exhausts; sets REG_KEY (its API key) and
# writes a 0600 header file $BENCH_TMP/<email>.hdr (the key never goes into argv)
bench_register() {
  local email=$1 admin_hdr=$BENCH_TMP/admin.hdr
  [[ -f $admin_hdr ]] || { printf 'X-API-Key: %s\n' "$(cat "$BENCH_ADMIN_KEY_FILE")" >"$admin_hdr"; chmod 0600 "$admin_hdr"; }
  REG_KEY=$(bench_curl -f "$BENCH_BASE/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password $RANDOM$RANDOM$RANDOM\"}" | jq -r .data.api_key) \
    || bench_die "POST /register of $email failed"
  bench_curl -f -o /dev/null -X PUT "$BENCH_BASE/admin/users/$email/plan" -H @"$admin_hdr" \
    -H 'Content-Type: application/json' \
    -d '{"plan":"free","overrides":{"requests_per_minute":1000000000,"burst":1000000,"upload_bytes_per_day":1000000000000000}}' \
    || bench_die "PUT /admin/users/$email/plan failed"
  ( umask 077; printf 'X-API-Key: %s\n' "$REG_KEY" >"$BENCH_TMP/$email.hdr" )
}

# bench_setup_users: BENCH_KEY/BENCH_HDR, the user every scenario but the listing one uses, with
# 20 small files (GET /files answers 20 rows)
bench_setup_users() {
  BENCH_EMAIL=bench-$(date +%s)-$RANDOM@example.com
  bench_register "$BENCH_EMAIL"
  BENCH_KEY=$REG_KEY BENCH_HDR=$BENCH_TMP/$BENCH_EMAIL.hdr
  export GW_BENCH_KEY=$BENCH_KEY   # wrk's Lua scripts read it (never argv)
  local i
  for i in $(seq 20); do
    head -c 1024 /dev/urandom >"$BENCH_TMP/small.bin"
    bench_upload "$BENCH_TMP/small.bin" "small-$i.bin" >/dev/null
  done
}

# bench_upload <file> <name> [curl args]: POST /upload as the bench user. Prints
# "<http code> <seconds to the answer> <seconds until stored> <cid>": for a task (202) the time
# until stored is the 202's plus the job's own latency from the server's timestamps
# (finished_at - created_at; the job row is created in the request's transaction), so no client
# polling is in it.
bench_upload() {
  local file=$1 name=$2 out code t state url task
  shift 2
  out=$(bench_curl -o "$BENCH_TMP/up.json" -w '%{http_code} %{time_total}' -H @"$BENCH_HDR" "$@" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$file" "$BENCH_BASE/upload?filename=$name")
  read -r code t <<<"$out"
  case $code in
    200|201) echo "$code $t $t $(jq -r .data.cid "$BENCH_TMP/up.json")" ;;
    202)
      url=$(jq -r .data.status_url "$BENCH_TMP/up.json")
      while true; do
        task=$(bench_curl -H @"$BENCH_HDR" "$BENCH_BASE$url")
        state=$(jq -r .data.state <<<"$task")
        [[ $state == succeeded ]] && break
        [[ $state == failed ]] && bench_die "upload task failed: ${task:0:300}"
        sleep 0.02
      done
      jq -r --arg c "$code" --arg t "$t" '.data as $d
        | def secs: (sub("\\.[0-9]+Z$"; "Z") | fromdate) + ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | ("0." + .) | tonumber);
        "\($c) \($t) \(($t | tonumber) + ($d.finished_at | secs) - ($d.created_at | secs)) \($d.result.cid)"' <<<"$task" ;;
    *) bench_die "POST /upload answered $code: $(head -c 300 "$BENCH_TMP/up.json")" ;;
  esac
}

# ---- wrk --------------------------------------------------------------------------------------------
# bench_wrk <connections> <seconds> <url> [wrk args...]: one wrk run over TLS with keep-alive.
# Prints "rps p50_ms p99_ms non2xx socket_errors MBps": non-2xx/3xx are wrk's own count (status
# > 399), socket errors the sum of connect/read/write/timeout, MB/s (10^6) from wrk's byte count.
bench_wrk() {
  local c=$1 secs=$2 url=$3 t out
  shift 3
  t=$(( c < 2 ? c : 2 ))
  out=$(wrk -t"$t" -c"$c" -d"${secs}s" --timeout 10s --latency "$@" "$url" 2>&1) || bench_die "wrk failed: $out"
  awk '
    function ms(s,  n) { n = s + 0; if (s ~ /us$/) return n / 1000; if (s ~ /ms$/) return n; if (s ~ /s$/) return n * 1000; return n }
    function bytes(s,  n, u) { n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      return n * (u == "KB" ? 1024 : u == "MB" ? 1048576 : u == "GB" ? 1073741824 : u == "TB" ? 1099511627776 : 1) }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec/ { rps = $2 }
    / requests in / { secs = $4 + 0; rd = bytes($5) }
    /Non-2xx or 3xx/ { bad = $NF }
    /Socket errors/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
    END { printf "%.1f %.3f %.3f %d %d %.1f\n", rps, p50, p99, bad, err, (secs > 0 ? rd / secs / 1e6 : 0) }' <<<"$out"
}

# ---- recording --------------------------------------------------------------------------------------
# bench_record: one row of the report, from named arguments:
#   scenario= case= metric= unit= values="v1 v2 ..." (one per run)
#   [ceiling_name= ceiling_values="..."]  the ceiling measured in the same run
#   [target_on=ratio|value target_op=">=|<=" target=<number> target_text="..."]
#   [errors=<count of non-2xx + socket errors over the runs>] [note="..."]
# The value is the median of the runs; ratio = value / ceiling (medians).
bench_record() {
  local -A a=([ceiling_name]="" [ceiling_values]="" [target_on]="" [target_op]="" [target]="" [target_text]="" [errors]="" [note]="")
  local kv
  for kv in "$@"; do a[${kv%%=*}]=${kv#*=}; done
  jq -cn --arg scenario "${a[scenario]}" --arg case "${a[case]}" --arg metric "${a[metric]}" --arg unit "${a[unit]}" \
    --arg values "${a[values]}" --arg cname "${a[ceiling_name]}" --arg cvalues "${a[ceiling_values]}" \
    --arg ton "${a[target_on]}" --arg top "${a[target_op]}" --arg target "${a[target]}" --arg ttext "${a[target_text]}" \
    --arg errors "${a[errors]}" --arg note "${a[note]}" '
    def nums: [splits(" +") | select(length > 0) | tonumber];
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[(length - 1) / 2]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    ($values | nums) as $v | ($cvalues | nums) as $c
    | ($v | median) as $m | (if ($c | length) > 0 then ($c | median) else null end) as $cm
    | (if $cm != null and $cm != 0 and $m != null then $m / $cm else null end) as $ratio
    | (if $ton == "" then null else {on: $ton, op: $top, value: ($target | tonumber), text: $ttext} end) as $t
    | {scenario: $scenario, case: $case, metric: $metric, unit: $unit, runs: $v, median: $m,
       ceiling: (if $cname == "" then null else {name: $cname, runs: $c, median: $cm} end),
       ratio: $ratio, target: $t,
       met: (if $t == null then null else
               (if $t.on == "ratio" then $ratio else $m end) as $x
               | if $x == null then null elif $t.op == ">=" then $x >= $t.value else $x <= $t.value end end),
       errors: (if $errors == "" then null else ($errors | tonumber) end), note: $note}' >>"$BENCH_ROWS"
}

# ---- the report -------------------------------------------------------------------------------------
# bench_markdown <report.json>: the Markdown report
bench_markdown() {
  jq -r '
    def num: if . == null then "–" elif (. | fabs) >= 100 then (. * 10 | round / 10 | tostring)
             elif (. | fabs) >= 1 then (. * 100 | round / 100 | tostring) else (. * 1000 | round / 1000 | tostring) end;
    # a rate as the share of its ceiling, anything else (times, latencies, sizes) as a factor
    def ratio($unit): if . == null then "–" elif ($unit | test("/s$")) then (. * 100 | round | tostring) + " %"
                      else (. * 100 | round / 100 | tostring) + "x" end;
    def cell: gsub("\\|"; "\\|");
    "# `./gw bench` report, \(.started)\n",
    "- commit `\(.git.commit)`\(if .git.dirty then " (with uncommitted changes)" else "" end)",
    "- machine: \(.machine.cores) cores, \(.machine.cpu), \(.machine.kernel); load average \(.machine.load_before) before, \(.machine.load_after) after",
    "- versions: \(.versions.nginx), \(.versions.postgresql), \(.versions.curl), \(.versions.wrk)",
    "- settings: \(.settings.runs) runs (median), \(.settings.seconds_per_wrk_run) s per wrk run\(if .settings.quick then ", --quick" else "" end), \(.settings.listing_files) files for the listing, scenarios: \(.settings.scenarios | join(", "))",
    "- ratio = median / ceiling median, both measured in the same run: for a rate the share of the ceiling (%), else a factor (x). The machine may be shared: compare ratios, not absolute numbers\n",
    "| scenario | case | metric | median | ceiling | ceiling median | ratio | target | met | errors | runs |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    (.rows[] | "| \(.scenario) | \(.case | cell) | \(.metric) (\(.unit)) | \(.median | num) | \(.ceiling.name // "–" | cell) | \(.ceiling.median | num) | \(.unit as $u | .ratio | ratio($u)) | \(.target.text // "–" | cell) | \(if .met == null then "–" elif .met then "met" else "**not met**" end) | \(.errors // "–") | \(.runs | map(num) | join(" ")) |"),
    "",
    (.rows[] | select(.note != "") | "- \(.scenario) / \(.case): \(.note)")' "$1"
}

# bench_self_check: the recording and the report on fixed numbers, no stack (`./gw test` runs it)
bench_self_check() {
  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  BENCH_ROWS=$dir/rows.jsonl
  bench_record scenario=requests case="POST /status c64" metric=rps unit=req/s values="30 10 20" \
    ceiling_name="nginx return 200" ceiling_values="100 50 60" target_on=ratio target_op=">=" target=0.3 \
    target_text=">= 30 % of nginx" errors=0
  bench_record scenario=upload case="100 MiB h2" metric=time unit=s values="0.5 0.4" \
    ceiling_name="100 MiB h1" ceiling_values="0.2 0.2" target_on=ratio target_op="<=" target=1.2 target_text="<= 1.2x"
  bench_record scenario=cid case="import" metric=speed unit=MB/s values="1500"
  jq -n --slurpfile rows "$BENCH_ROWS" '{started: "t", git: {commit: "c", dirty: false},
    machine: {cores: 2, cpu: "x", kernel: "k", load_before: "0", load_after: "0"},
    versions: {nginx: "n", postgresql: "p", curl: "c", wrk: "w"},
    settings: {runs: 3, seconds_per_wrk_run: 1, quick: true, listing_files: 1, scenarios: ["requests"]}, rows: $rows}' >"$dir/r.json"
  bench_markdown "$dir/r.json" >"$dir/r.md"
  local want
  for want in '| requests | POST /status c64 | rps (req/s) | 20 | nginx return 200 | 60 | 33 % | >= 30 % of nginx | met | 0 | 30 10 20 |' \
              '| upload | 100 MiB h2 | time (s) | 0.45 | 100 MiB h1 | 0.2 | 2.25x | <= 1.2x | **not met** | – | 0.5 0.4 |' \
              '| cid | import | speed (MB/s) | 1500 | – | – | – | – | – | – | 1500 |'; do
    grep -qxF -- "$want" "$dir/r.md" || { cat "$dir/r.md" >&2; bench_die "self-check: the report lacks the line: $want"; }
  done
  bench_log "self-check passed (bench_record, bench_markdown)"
}

# ---- workers ------------------------------------------------------------------------------------------
# bench_worker_rss: "<sum VmRSS KiB> <sum RssAnon KiB>" of the FastCGI workers (BENCH_RUN_DIR/worker-*.pid)
bench_worker_rss() {
  local f pid rss=0 anon=0 k v _
  for f in "$BENCH_RUN_DIR"/worker-*.pid; do
    [[ -f $f ]] || continue
    pid=$(head -n1 "$f" | tr -dc '0-9')
    [[ -n $pid && -r /proc/$pid/status ]] || continue
    while read -r k v _; do
      case $k in VmRSS:) rss=$(( rss + v )) ;; RssAnon:) anon=$(( anon + v )) ;; esac
    done <"/proc/$pid/status"
  done
  echo "$rss $anon"
}

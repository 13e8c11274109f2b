#!/usr/bin/env bash
# bench/files_pgbench.sh: the SQL of one GET /files?limit=20 under pgbench (-M prepared), before
# and after #14's listing change: `txn` = BEGIN; counter; page; audit INSERT; COMMIT (the
# server's synchronous_commit), `auto` = counter; page; the audit INSERT with synchronous_commit
# off for its own commit (AuditWriter::WriteOfRead), no transaction block; `noaudit` = counter
# and page only (reference). Prints tps and, given the postmaster's pid (local cluster), the CPU
# of every process of the cluster per listing (/proc: the postmaster's reaped children and its
# live ones).
#   bench/files_pgbench.sh "<psql connection string>" <user id> [postmaster pid] [seconds=5] [clients=16]
# Seed the user with bench/seed_files.sql. Writes audit rows for that user.
set -euo pipefail
dsn=$1 user=$2 postmaster=${3:-} seconds=${4:-5} clients=${5:-16}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# As the app sends it (PgFileRepository, IsoUtc): pgbench would read ":MI" as a variable, so the
# timestamp format's colons are chr(58).
iso="to_char(uploaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24' || chr(58) || 'MI' || chr(58) || 'SS.US\"Z\"')"
counter="SELECT COALESCE(sum(CASE WHEN list = 'files' THEN CASE WHEN NULL::boolean IS DISTINCT FROM true THEN n ELSE 0 END WHEN NULL::boolean IS NULL THEN 0 WHEN NULL::boolean THEN n ELSE -n END), 0)::bigint FROM list_counts WHERE list IN ('files', 'pinned_files') AND owner = :u;"
page="SELECT cid, original_filename, safe_filename, size, mime_type, pinned, $iso FROM files WHERE user_id = :u AND deleted_at IS NULL AND (NULL::boolean IS NULL OR pinned = NULL::boolean) AND (NULL::text IS NULL OR original_filename ILIKE '%' || NULL::text || '%' ESCAPE '\\') AND (NULL::text IS NULL OR cid IN (NULL::text, NULL::text)) ORDER BY uploaded_at DESC, id DESC LIMIT 20 OFFSET 0;"
row="(user_id, actor_user_id, action, details, request_id, client_address)"
details="'{\"limit\": \"20\", \"page\": \"1\", \"total\": \"300\"}'::jsonb, 'bench-0123456789abcdef', '127.0.0.1'"
audit="INSERT INTO audit_log $row VALUES (:u::bigint, NULL::bigint, 'list_files', $details);"
audit_async="WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)) INSERT INTO audit_log $row SELECT :u::bigint, NULL::bigint, 'list_files', $details FROM durability;"
printf '\\set u %s\nBEGIN;\n%s\n%s\n%s\nCOMMIT;\n' "$user" "$counter" "$page" "$audit" >"$tmp/txn.sql"
printf '\\set u %s\n%s\n%s\n%s\n' "$user" "$counter" "$page" "$audit_async" >"$tmp/auto.sql"
printf '\\set u %s\n%s\n%s\n' "$user" "$counter" "$page" >"$tmp/noaudit.sql"

cpu() {  # ticks of the cluster: the postmaster with its reaped children, plus its live children
  [[ -n $postmaster ]] || { echo 0; return; }
  local total pid
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster"); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
for script in txn auto noaudit; do
  c0=$(cpu)
  out=$(pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$tmp/$script.sql" "$dsn" 2>&1)
  sleep 0.5  # the backends exit and are reaped
  c1=$(cpu)
  n=$(awk '/number of transactions actually processed/ {print $NF}' <<<"$out" | cut -d/ -f1)
  tps=$(awk '/^tps/ {print $3; exit}' <<<"$out")
  awk -v s="$script" -v t="$tps" -v n="$n" -v c=$(( c1 - c0 )) -v hz="$(getconf CLK_TCK)" -v p="$postmaster" 'BEGIN {
    printf "%-8s %8.0f tps", s, t; if (p != "" && n > 0) printf "  %4.0f us PostgreSQL CPU / listing", 1e6 * c / hz / n; print "" }'
done

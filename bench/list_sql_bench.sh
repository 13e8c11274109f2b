#!/usr/bin/env bash
# bench/list_sql_bench.sh: the SQL of GET /files (first and last page) for one account, as the
# app runs it, timed by EXPLAIN ANALYZE in PostgreSQL (median of 7 runs, milliseconds).
#   bench/list_sql_bench.sh "<psql connection string>" <user id> [old|new]
# old: the statement before V007 (count(*) OVER () and a growing OFFSET); new: the counter
# (V007), then the page from the nearer end. Seed the account with bench/seed_files.sql.
set -euo pipefail
dsn=$1 user=$2 mode=${3:-new}
cols="cid, original_filename, safe_filename, size, mime_type, pinned, uploaded_at"
filter="FROM files WHERE user_id = $user AND deleted_at IS NULL"
ms() {  # ms <sql>: median execution time of 7 EXPLAIN ANALYZE runs
  for _ in 1 2 3 4 5 6 7; do
    psql "$dsn" -Atqc "EXPLAIN (ANALYZE, FORMAT JSON) $1" | jq '.[0]["Execution Time"] + .[0]["Planning Time"]'
  done | sort -n | sed -n 4p
}
total=$(psql "$dsn" -Atqc "SELECT count(*) $filter")
last_offset=$(( (total - 1) / 20 * 20 ))
if [[ $mode == old ]]; then
  first=$(ms "SELECT $cols, count(*) OVER () $filter ORDER BY uploaded_at DESC, id DESC LIMIT 20 OFFSET 0")
  last=$(ms "SELECT $cols, count(*) OVER () $filter ORDER BY uploaded_at DESC, id DESC LIMIT 20 OFFSET $last_offset")
else
  counter=$(ms "SELECT COALESCE(sum(n), 0)::bigint FROM list_counts WHERE list IN ('files', 'pinned_files') AND owner = $user")
  first=$(ms "SELECT $cols $filter ORDER BY uploaded_at DESC, id DESC LIMIT 20 OFFSET 0")
  rows=$(( total - last_offset ))
  last=$(ms "SELECT $cols $filter ORDER BY uploaded_at, id LIMIT $rows OFFSET 0")
  echo "counter_ms=$counter"
fi
echo "mode=$mode total=$total first_page_ms=$first last_page_ms=$last"

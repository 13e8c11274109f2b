#!/usr/bin/env bash
# Gives one user N live files straight in the database, for the listing scenario of `./gw bench`
# (bench/scenarios/listing.sh): N distinct contents and N holdings, newest first like real
# uploads (uploaded_at one millisecond apart). A simple generate_series, in one transaction.
# Usage: bench/seed_files.sh <database DSN (may write the app's tables)> <email> <count>
# The listing work of issue #14 may replace this with its own seeding (the interface stays).
set -euo pipefail
dsn=${1:?usage: bench/seed_files.sh DSN EMAIL COUNT}
email=${2:?usage: bench/seed_files.sh DSN EMAIL COUNT}
count=${3:?usage: bench/seed_files.sh DSN EMAIL COUNT}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "seed_files: COUNT must be a positive integer" >&2; exit 2; }
psql -v ON_ERROR_STOP=1 -q -X "$dsn" -v email="$email" -v n="$count" <<'SQL'
BEGIN;
CREATE TEMP TABLE seed AS
  -- a well-formed CIDv1 (raw, sha256: "bafkrei" + 52 base32 characters, the last one with
  -- its padding bits zero), unique per user and row; the bytes behind it do not exist
  SELECT g, 'bafkrei' || substr(translate(md5(:'email' || g::text) || md5(g::text || :'email'),
                                          '0123456789', 'abcdefghij'), 1, 51) || 'a' AS cid
  FROM generate_series(1, :n) AS g;
INSERT INTO contents (cid, size, dag_size, mime_type)
  SELECT cid, 1024, 1035, 'application/octet-stream' FROM seed;
INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type, uploaded_at, updated_at)
  SELECT u.id, s.cid, 'seed-' || s.g || '.bin', 'seed-' || s.g || '.bin', 1024, 'application/octet-stream',
         now() - (:n - s.g) * interval '1 millisecond', now()
  FROM seed s CROSS JOIN (SELECT id FROM users WHERE email = :'email') u;
COMMIT;
ANALYZE contents;
ANALYZE files;
SQL

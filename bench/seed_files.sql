-- bench/seed_files.sql: gives one account N live files, straight into PostgreSQL (no uploads, no
-- bytes in the store): the data set of the "GET /files at scale" benchmark.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v email=bench@example.com -v files=1000000 -f bench/seed_files.sql
--
-- email: the account (created, without an API key, when no live account has it; register it
--        through the API first to get a key). files: how many files it should hold.
-- Idempotent: the i-th file is the same content (a valid-looking CIDv1, raw, sha256) for every
-- account and run, so running it again, or for a second account, adds no duplicate; a larger
-- `files` adds the rest. Every tenth file is unpinned; uploaded_at goes back one second per two
-- files, so pairs share a timestamp (pages must then order by id too). The list counters
-- (migrations/V007__list_counts.sql) follow through their triggers, in the same transaction.
-- Prints the account's id, its live files and the seconds it took. 1,000,000 files: about
-- 1-3 minutes and 400 MB of database.
\set ON_ERROR_STOP 1
\timing off
BEGIN;
INSERT INTO users (email) SELECT lower(:'email')
WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = lower(:'email') AND NOT is_deleted);
SELECT id AS seed_user FROM users WHERE email = lower(:'email') AND NOT is_deleted \gset
SELECT clock_timestamp() AS seed_started \gset

CREATE TEMP TABLE seed_cids ON COMMIT DROP AS
SELECT i, 'bafkrei' || substr('abcdefgh', i % 8 + 1, 1)
          || substr(translate(md5(i::text) || md5(i::text || 's'), '0189', 'wxyz'), 1, 50) || 'a' AS cid
FROM generate_series(1, :files) AS i;

INSERT INTO contents (cid, size, dag_size, mime_type)
SELECT cid, 1024 + i % 1000, 1035 + i % 1000, 'application/octet-stream' FROM seed_cids
ON CONFLICT (cid) DO NOTHING;

INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type, pinned, uploaded_at, updated_at)
SELECT :seed_user, cid, 'seed-' || i || '.bin', 'seed-' || i || '.bin', 1024 + i % 1000, 'application/octet-stream',
       i % 10 <> 0, timestamptz '2026-01-01 00:00:00+00' - (i / 2) * interval '1 second',
       timestamptz '2026-01-01 00:00:00+00'
FROM seed_cids
ON CONFLICT (user_id, cid) DO NOTHING;
COMMIT;
ANALYZE contents;
ANALYZE files;
SELECT :seed_user AS user_id,
       (SELECT count(*) FROM files WHERE user_id = :seed_user AND deleted_at IS NULL) AS live_files,
       round(extract(epoch FROM clock_timestamp() - :'seed_started'::timestamptz)::numeric, 1) AS seconds;

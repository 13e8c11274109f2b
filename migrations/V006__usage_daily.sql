-- V006: each user's usage per UTC calendar day (GET /usage/daily, requests_this_month in GET /usage).
-- Append-only: once applied anywhere, never edit this file; add V007__... instead.

-- One row per user and day with any usage. Uploads and bytes are added by the transaction that
-- records an upload; requests by the usage flusher, in the transaction that adds them to
-- users.usage_count. Reads take one user's last days (at most 90) by the primary key.
CREATE TABLE usage_daily (
    user_id  bigint NOT NULL REFERENCES users (id),
    day      date   NOT NULL,  -- UTC: (now() AT TIME ZONE 'UTC')::date
    uploads  bigint NOT NULL DEFAULT 0 CHECK (uploads >= 0),
    bytes    bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    requests bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
    PRIMARY KEY (user_id, day)
);

-- Uploads made before this migration, from their audit rows (the last 90 days are all anyone
-- is shown). Requests were only counted in total, so earlier days show none.
INSERT INTO usage_daily (user_id, day, uploads, bytes)
SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, count(*),
       COALESCE(sum(CASE WHEN details->>'size' ~ '^[0-9]{1,18}$' THEN (details->>'size')::bigint END), 0)
FROM audit_log
WHERE action = 'upload' AND user_id IS NOT NULL AND created_at >= now() - interval '91 days'
GROUP BY 1, 2;

-- V007: exact row counts for the paged lists' totals (X-Total-Count), kept by triggers.
-- Append-only: once applied anywhere, never edit this file; add V008__... instead.
--
-- Counting a list on every request cost a scan of all of it (0.6 s for a user with 1,000,000
-- files). These counters answer the unfiltered totals (and GET /files?pinned=) by primary key.
-- Triggers keep them, in the transaction of every change, whichever writer makes it (uploads,
-- deletes, the job workers, garbage collection, SQL by hand). Those of files and jobs are
-- statement-level with transition tables: a bulk INSERT ... SELECT adds one counter row per
-- user, not per file. audit_log's insert trigger is row-level: its rows come one per request
-- (reads included), and a row trigger costs less than a transition table for one row.

-- The count of one list for one owner, spread over stripes: each writer adds to the stripe of
-- its backend (pg_backend_pid() % 16), so concurrent requests (every request writes an audit
-- row) rarely wait on one row lock. A stripe may go negative; the count is the sum of them.
CREATE TABLE list_counts (
    list   text     NOT NULL CHECK (list IN ('files', 'pinned_files', 'jobs', 'audit')),
    owner  bigint   NOT NULL,  -- the user id; 0: every user (only 'audit', the administrators' view)
    stripe smallint NOT NULL CHECK (stripe >= 0 AND stripe < 16),
    n      bigint   NOT NULL,
    PRIMARY KEY (list, owner, stripe)
);

-- Adds `delta` to the count of `list` for `owner` (in this backend's stripe). PL/pgSQL, not
-- SQL: it keeps the upsert's plan for the session, where a SQL function called from a trigger
-- plans it again on every call (about 0.1 ms of backend CPU, on every audited request).
CREATE FUNCTION list_counts_add(p_list text, p_owner bigint, p_delta bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO list_counts (list, owner, stripe, n) VALUES (p_list, p_owner, pg_backend_pid() % 16, p_delta)
    ON CONFLICT (list, owner, stripe) DO UPDATE SET n = list_counts.n + EXCLUDED.n;
END
$$;

-- files: 'files' counts a user's live holdings (deleted_at IS NULL), 'pinned_files' the live
-- and pinned ones: what GET /files lists, with and without ?pinned=true. Each trigger sums
-- the rows' contributions per user (new rows +1, old rows -1) and adds what changed, in
-- (list, owner) order so that two transactions lock counter rows in the same order.
CREATE FUNCTION files_list_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM list_counts_add(d.list, d.owner, d.delta) FROM (
            SELECT l.list, r.user_id AS owner, count(*) AS delta
            FROM new_rows r CROSS JOIN LATERAL (VALUES ('files', r.deleted_at IS NULL),
                                                       ('pinned_files', r.deleted_at IS NULL AND r.pinned)) l (list, counted)
            WHERE l.counted GROUP BY 1, 2 ORDER BY 1, 2) d;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM list_counts_add(d.list, d.owner, -d.delta) FROM (
            SELECT l.list, r.user_id AS owner, count(*) AS delta
            FROM old_rows r CROSS JOIN LATERAL (VALUES ('files', r.deleted_at IS NULL),
                                                       ('pinned_files', r.deleted_at IS NULL AND r.pinned)) l (list, counted)
            WHERE l.counted GROUP BY 1, 2 ORDER BY 1, 2) d;
    ELSE
        PERFORM list_counts_add(d.list, d.owner, d.delta) FROM (
            SELECT l.list, r.user_id AS owner, sum(r.sign) AS delta
            FROM (SELECT user_id, deleted_at, pinned, 1 AS sign FROM new_rows
                  UNION ALL SELECT user_id, deleted_at, pinned, -1 FROM old_rows) r
            CROSS JOIN LATERAL (VALUES ('files', r.deleted_at IS NULL),
                                       ('pinned_files', r.deleted_at IS NULL AND r.pinned)) l (list, counted)
            WHERE l.counted GROUP BY 1, 2 HAVING sum(r.sign) <> 0 ORDER BY 1, 2) d;
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger: three triggers, one function.
CREATE TRIGGER files_list_counts_insert AFTER INSERT ON files
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION files_list_counts();
CREATE TRIGGER files_list_counts_update AFTER UPDATE ON files
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION files_list_counts();
CREATE TRIGGER files_list_counts_delete AFTER DELETE ON files
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION files_list_counts();

-- jobs: 'jobs' counts a user's jobs, every state (GET /tasks). System jobs (no user) are not
-- listed. A job never changes owner, so only inserts and deletes count.
CREATE FUNCTION jobs_list_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM list_counts_add('jobs', d.owner, d.delta) FROM (
            SELECT user_id AS owner, count(*) AS delta FROM new_rows WHERE user_id IS NOT NULL
            GROUP BY 1 ORDER BY 1) d;
    ELSE
        PERFORM list_counts_add('jobs', d.owner, -d.delta) FROM (
            SELECT user_id AS owner, count(*) AS delta FROM old_rows WHERE user_id IS NOT NULL
            GROUP BY 1 ORDER BY 1) d;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_list_counts_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobs_list_counts();
CREATE TRIGGER jobs_list_counts_delete AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jobs_list_counts();

-- audit_log: 'audit' counts each account's rows and (owner 0) every row, the administrators'
-- unfiltered GET /audit. Owner 0 comes first, so every transaction locks it before a user's.
-- Inserts: one row at a time (the application writes one per request); deletes (retention,
-- by hand) in bulk, per statement.
CREATE FUNCTION audit_log_list_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM list_counts_add('audit', 0, 1);
    IF NEW.user_id IS NOT NULL THEN
        PERFORM list_counts_add('audit', NEW.user_id, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION audit_log_list_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM list_counts_add('audit', d.owner, -d.delta) FROM (
        SELECT COALESCE(o.owner, 0) AS owner, count(*) AS delta
        FROM old_rows r CROSS JOIN LATERAL (VALUES (0::bigint), (r.user_id)) o (owner)
        WHERE o.owner IS NOT NULL GROUP BY 1 ORDER BY 1) d;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_list_counts_insert AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_list_counts_row();
CREATE TRIGGER audit_log_list_counts_delete AFTER DELETE ON audit_log
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_log_list_counts();

-- The counts of the rows already there. The triggers above lock their tables against writes
-- until this migration commits, so no change falls between the back-fill and the triggers.
INSERT INTO list_counts (list, owner, stripe, n)
SELECT 'files', user_id, 0, count(*) FROM files WHERE deleted_at IS NULL GROUP BY user_id;
INSERT INTO list_counts (list, owner, stripe, n)
SELECT 'pinned_files', user_id, 0, count(*) FROM files WHERE deleted_at IS NULL AND pinned GROUP BY user_id;
INSERT INTO list_counts (list, owner, stripe, n)
SELECT 'jobs', user_id, 0, count(*) FROM jobs WHERE user_id IS NOT NULL GROUP BY user_id;
INSERT INTO list_counts (list, owner, stripe, n)
SELECT 'audit', user_id, 0, count(*) FROM audit_log WHERE user_id IS NOT NULL GROUP BY user_id;
INSERT INTO list_counts (list, owner, stripe, n)
SELECT 'audit', 0, 0, count(*) FROM audit_log HAVING count(*) > 0;

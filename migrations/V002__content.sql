-- V002: stored content and each user's holdings of it.
-- Append-only: once applied anywhere, never edit this file; add V003__... instead.

-- One row per distinct content (the bytes are stored once, whoever uploaded them). The row is
-- also the lock that serialises an upload of these bytes against their garbage collection.
CREATE TABLE contents (
    cid        text        PRIMARY KEY,  -- canonical CIDv1 string (base32)
    size       bigint      NOT NULL CHECK (size >= 0),
    dag_size   bigint      NOT NULL CHECK (dag_size >= 0),
    mime_type  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per user and CID, ever: deleting soft-deletes it, uploading the same bytes again
-- revives it, so a holding keeps its id and history.
CREATE TABLE files (
    id                bigserial   PRIMARY KEY,
    user_id           bigint      NOT NULL REFERENCES users (id),
    -- No ON DELETE CASCADE: garbage collection deletes the dead holdings itself, in the same
    -- transaction, so that a live holding can never disappear with its content.
    cid               text        NOT NULL REFERENCES contents (cid),
    original_filename text        NOT NULL,
    safe_filename     text        NOT NULL,
    size              bigint      NOT NULL CHECK (size >= 0),
    mime_type         text        NOT NULL,
    pinned            boolean     NOT NULL DEFAULT true,
    uploaded_at       timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz NULL,
    CONSTRAINT files_user_cid_key UNIQUE (user_id, cid)
);

-- GET /files: a user's live files, newest first (also serves usage sums and the count).
CREATE INDEX files_user_live_uploaded ON files (user_id, uploaded_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Garbage collection asks, per content, whether any holding keeps it.
CREATE INDEX files_cid ON files (cid);

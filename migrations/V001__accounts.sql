-- V001: accounts, API keys and the audit log.
-- Append-only: once applied anywhere, never edit this file; add V002__... instead
-- (the migrator refuses to start when an applied file's checksum changed).

CREATE TABLE users (
    id              bigserial   PRIMARY KEY,
    email           text        NOT NULL CHECK (email = lower(email)),
    password_hash   text        NOT NULL DEFAULT '',
    is_admin        boolean     NOT NULL DEFAULT false,
    is_active       boolean     NOT NULL DEFAULT true,
    is_deleted      boolean     NOT NULL DEFAULT false,
    usage_count     bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_renewed_at timestamptz NULL,
    revoked_at      timestamptz NULL
);

-- A deleted account frees its email for a new registration.
-- persistence/ recognises a violation of this index by its name: keep it.
CREATE UNIQUE INDEX users_email_live_key ON users (email) WHERE NOT is_deleted;

CREATE TABLE api_keys (
    id            bigserial   PRIMARY KEY,
    user_id       bigint      NOT NULL REFERENCES users (id),
    key_hash      text        NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    key_prefix    text        NOT NULL,
    is_current    boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz NULL
);

-- At most one current key per user; also serves "the user's current key" lookups.
CREATE UNIQUE INDEX api_keys_one_current_per_user ON api_keys (user_id) WHERE is_current;

CREATE TABLE audit_log (
    id             bigserial   PRIMARY KEY,
    user_id        bigint      NULL REFERENCES users (id),  -- the account concerned
    actor_user_id  bigint      NULL REFERENCES users (id),  -- who did it, when known
    action         text        NOT NULL,
    details        jsonb       NOT NULL DEFAULT '{}',
    request_id     text        NOT NULL DEFAULT '',
    client_address text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- The audit list filters by account, by action and by time, always newest first.
CREATE INDEX audit_log_created_at ON audit_log (created_at);
CREATE INDEX audit_log_user_created_at ON audit_log (user_id, created_at);
CREATE INDEX audit_log_action_created_at ON audit_log (action, created_at);

-- V005: browser sessions (POST /session, the cookie __Host-gw_session).
-- Append-only: once applied anywhere, never edit this file; add V006__... instead.

-- Only the HMAC of the cookie's token is stored (like api_keys.key_hash); the CSRF token is
-- derived from the token (domain/sessions.hpp), so it is not stored at all. A session belongs to
-- the API key that was current when it was made: renewing the key (POST /renew) or revoking the
-- account ends the account's sessions in the same transaction (ended_at).
CREATE TABLE sessions (
    id           bigserial   PRIMARY KEY,
    token_hash   text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      bigint      NOT NULL REFERENCES users (id),
    api_key_id   bigint      NOT NULL REFERENCES api_keys (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz NULL,
    CHECK (expires_at > created_at)
);

-- Renewal and revocation end a user's live sessions: find them without a scan.
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE ended_at IS NULL;
-- Old sessions can be purged by age.
CREATE INDEX sessions_expires_at ON sessions (expires_at);

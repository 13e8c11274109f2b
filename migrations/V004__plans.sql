-- V004: plans (what each user may do per minute and per day) and per-user overrides.
-- Append-only: once applied anywhere, never edit this file; add V005__... instead.

-- A limit of 0 means "unlimited" (domain::PlanLimits). The rate limiter reads a user's
-- effective limits with the key lookup: COALESCE(users.<limit>_override, plans.<limit>).
CREATE TABLE plans (
    name                 text        PRIMARY KEY CHECK (name ~ '^[a-z0-9_-]{1,64}$'),
    requests_per_minute  bigint      NOT NULL CHECK (requests_per_minute >= 0),
    burst                bigint      NOT NULL CHECK (burst >= 0),
    upload_bytes_per_day bigint      NOT NULL CHECK (upload_bytes_per_day >= 0),
    description          text        NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);

INSERT INTO plans (name, requests_per_minute, burst, upload_bytes_per_day, description) VALUES
    ('free',      600,  100,  1073741824,   'Default plan: 600 requests/min (burst 100), 1 GiB of uploads per day'),
    ('pro',       6000, 1000, 107374182400, '6000 requests/min (burst 1000), 100 GiB of uploads per day'),
    ('unlimited', 0,    0,    0,            'No limits: for administrators and internal tools');

-- NULL override: the plan's value applies; a value (0 = unlimited) replaces it for this user.
ALTER TABLE users
    ADD COLUMN plan                          text   NOT NULL DEFAULT 'free' REFERENCES plans (name),
    ADD COLUMN requests_per_minute_override  bigint NULL CHECK (requests_per_minute_override >= 0),
    ADD COLUMN burst_override                bigint NULL CHECK (burst_override >= 0),
    ADD COLUMN upload_bytes_per_day_override bigint NULL CHECK (upload_bytes_per_day_override >= 0);

-- Administrators are operators: a limit on their keys would make their own tools fail under
-- load. Existing ones move to 'unlimited' here; new ones get it when they are created
-- (persistence/pg_account_repository.cpp, the user insert).
UPDATE users SET plan = 'unlimited' WHERE is_admin;

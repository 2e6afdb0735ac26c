-- numerous: users, roles and refresh tokens of the database auth provider.
-- Portable between SQLite and PostgreSQL (through sqlx's Any driver): times are seconds since
-- the Unix epoch, flags are 0 or 1.
CREATE TABLE IF NOT EXISTS numerous_users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL DEFAULT 0,
    is_active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS numerous_roles (
    name TEXT PRIMARY KEY,
    description TEXT
);

CREATE TABLE IF NOT EXISTS numerous_user_roles (
    user_id TEXT NOT NULL REFERENCES numerous_users (id) ON DELETE CASCADE,
    role TEXT NOT NULL REFERENCES numerous_roles (name) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE IF NOT EXISTS numerous_refresh_tokens (
    id TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES numerous_users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS numerous_refresh_tokens_family ON numerous_refresh_tokens (family);
CREATE INDEX IF NOT EXISTS numerous_refresh_tokens_user ON numerous_refresh_tokens (user_id);

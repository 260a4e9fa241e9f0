-- Accounts: projects, users (admins and end users), OAuth clients, roles and bindings,
-- and the development mail outbox. Times are Unix seconds. Secrets are stored only as
-- hashes (password: Argon2id PHC string; client secret: keyed SHA-256).

CREATE TABLE IF NOT EXISTS projects (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    is_default   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    password_hash   TEXT NOT NULL,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    created_at      INTEGER NOT NULL,
    last_login_at   INTEGER,
    UNIQUE (tenant_id, email)
);

-- An admin email belongs to one tenant, so admin login needs no tenant hint.
CREATE UNIQUE INDEX IF NOT EXISTS users_admin_email ON users (email) WHERE kind = 'admin';

CREATE TABLE IF NOT EXISTS clients (
    id             TEXT PRIMARY KEY NOT NULL,
    client_id      TEXT NOT NULL UNIQUE,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id     TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    client_type    TEXT NOT NULL DEFAULT 'public',
    platform       TEXT NOT NULL DEFAULT 'web',
    react_app_url  TEXT NOT NULL DEFAULT '',
    redirect_uris  TEXT NOT NULL DEFAULT '[]',
    grant_types    TEXT NOT NULL DEFAULT '[]',
    secret_hash    TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    is_default     INTEGER NOT NULL DEFAULT 0,
    deleted_at     INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS roles (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS role_bindings (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    role_id     TEXT NOT NULL,
    scope_type  TEXT NOT NULL DEFAULT '*',
    scope_id    TEXT NOT NULL DEFAULT '*',
    expires_at  INTEGER,
    created_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS role_bindings_user ON role_bindings (tenant_id, user_id);

CREATE TABLE IF NOT EXISTS dev_outbox (
    id          TEXT PRIMARY KEY NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS dev_outbox_recipient ON dev_outbox (recipient, created_at);

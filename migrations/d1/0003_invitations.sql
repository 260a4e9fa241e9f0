-- Invitations to administer a tenant: the invitee accepts with the emailed token (stored
-- only as a keyed hash), becoming a console user with the invited role.

CREATE TABLE IF NOT EXISTS invitations (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS invitations_tenant ON invitations (tenant_id, status);

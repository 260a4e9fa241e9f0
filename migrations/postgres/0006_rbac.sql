-- RBAC and ABAC (same meaning as migrations/d1/0006): permissions ("resource:action") and the roles that carry them, bindings
-- of groups as well as users (a binding has exactly one of user_id and group_id), groups
-- and their members, OAuth-style and API scopes, and ABAC policy documents. Every row
-- belongs to one tenant. Existing tenants' admin roles are given `*:*` (everything).
-- The groups table is rbac_groups, as in D1 (GROUPS is a keyword in SQLite).

CREATE TABLE IF NOT EXISTS permissions (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    resource     TEXT NOT NULL,
    action       TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, resource, action)
);

CREATE TABLE IF NOT EXISTS role_permissions (
    tenant_id      TEXT NOT NULL,
    role_id        TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id  TEXT NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);

CREATE INDEX IF NOT EXISTS role_permissions_permission ON role_permissions (permission_id);

ALTER TABLE role_bindings ADD COLUMN IF NOT EXISTS group_id TEXT NOT NULL DEFAULT '';

ALTER TABLE role_bindings ADD COLUMN IF NOT EXISTS conditions TEXT NOT NULL DEFAULT '{}';

CREATE INDEX IF NOT EXISTS role_bindings_group ON role_bindings (tenant_id, group_id);

CREATE TABLE IF NOT EXISTS rbac_groups (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS group_members (
    tenant_id  TEXT NOT NULL,
    group_id   TEXT NOT NULL REFERENCES rbac_groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX IF NOT EXISTS group_members_user ON group_members (tenant_id, user_id);

CREATE TABLE IF NOT EXISTS scopes (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    permissions  TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, kind, name)
);

CREATE TABLE IF NOT EXISTS abac_policies (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- Backfill: every tenant's admin role grants everything, as registration now arranges.
-- Idempotent (IF NOT EXISTS, ON CONFLICT): a schema built with psql may be recorded by
-- the Worker's migration runner later, which applies the files once more.
INSERT INTO permissions (id, tenant_id, resource, action, description, created_at)
    SELECT 'perm-all-' || id, id, '*', '*', 'Every action on every resource', created_at FROM tenants
    ON CONFLICT DO NOTHING;

INSERT INTO role_permissions (tenant_id, role_id, permission_id)
    SELECT tenant_id, id, 'perm-all-' || tenant_id FROM roles WHERE name = 'admin'
    ON CONFLICT DO NOTHING;

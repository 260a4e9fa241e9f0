-- Foundation schema: tenants and signing-key metadata (same meaning as migrations/d1/0001).
-- Times are Unix seconds (BIGINT). Key material never lives here: only public JWKs.

CREATE TABLE IF NOT EXISTS tenants (
    id          TEXT PRIMARY KEY NOT NULL,
    domain      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS signing_keys (
    kid                 TEXT PRIMARY KEY NOT NULL,
    alg                 TEXT NOT NULL,
    public_jwk          TEXT NOT NULL,
    first_published_at  BIGINT NOT NULL,
    activated_at        BIGINT
);

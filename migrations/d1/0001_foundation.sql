-- Foundation schema: tenants and signing-key metadata.
-- Times are Unix seconds (INTEGER). Key material never lives here: only public JWKs.

CREATE TABLE IF NOT EXISTS tenants (
    id          TEXT PRIMARY KEY NOT NULL,
    domain      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS signing_keys (
    kid                 TEXT PRIMARY KEY NOT NULL,
    alg                 TEXT NOT NULL,
    public_jwk          TEXT NOT NULL,
    first_published_at  INTEGER NOT NULL,
    activated_at        INTEGER
);

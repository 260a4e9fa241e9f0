-- Second factors: TOTP devices (the seed sealed with AES-256-GCM under ENCRYPTION_KEY),
-- single-use backup codes (keyed hashes only) and passkeys (public keys only). Deleting
-- a user deletes their factors. Times are Unix seconds; flags are 0/1.

CREATE TABLE IF NOT EXISTS totp_devices (
    id             TEXT PRIMARY KEY NOT NULL,
    tenant_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    device_type    TEXT NOT NULL,
    secret_sealed  TEXT NOT NULL,
    confirmed      INTEGER NOT NULL DEFAULT 0,
    is_primary     INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER
);

CREATE INDEX IF NOT EXISTS totp_devices_user ON totp_devices (tenant_id, user_id);

CREATE TABLE IF NOT EXISTS backup_codes (
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

CREATE TABLE IF NOT EXISTS passkeys (
    id               TEXT PRIMARY KEY NOT NULL,
    tenant_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    public_key_cose  TEXT NOT NULL,
    alg              INTEGER NOT NULL,
    sign_count       INTEGER NOT NULL DEFAULT 0,
    flagged          INTEGER NOT NULL DEFAULT 0,
    aaguid           TEXT NOT NULL,
    attestation      TEXT NOT NULL,
    backup_eligible  INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    last_used_at     INTEGER
);

CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys (tenant_id, user_id);

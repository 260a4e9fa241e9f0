-- Devices users registered to receive CIBA sign-in requests by push (the token is what
-- the push service addresses; it grants nothing by itself). Deleting a user deletes them.

CREATE TABLE IF NOT EXISTS ciba_devices (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_token  TEXT NOT NULL,
    platform      TEXT NOT NULL,
    device_name   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, user_id, device_token)
);

CREATE INDEX IF NOT EXISTS ciba_devices_user ON ciba_devices (tenant_id, user_id);

-- The OAuth provider's client metadata (issue 14; same meaning as migrations/d1/0010): how a client authenticates
-- (private_key_jwt with its public keys), whether it must push its authorization
-- requests (RFC 9126) or bind its tokens with DPoP (RFC 9449), whether an admin let it
-- introspect every token of its tenant, and the hashed registration access token of a
-- dynamically registered client (RFC 7592). Tenants opt into open registration.

ALTER TABLE clients ADD COLUMN IF NOT EXISTS token_endpoint_auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS jwks TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS require_par BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS dpop_bound BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS introspect_any BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS registration_token_hash TEXT;
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS open_registration BIGINT NOT NULL DEFAULT 0;

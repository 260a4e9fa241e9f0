-- The OAuth provider's client metadata (issue 14): how a client authenticates
-- (private_key_jwt with its public keys), whether it must push its authorization
-- requests (RFC 9126) or bind its tokens with DPoP (RFC 9449), whether an admin let it
-- introspect every token of its tenant, and the hashed registration access token of a
-- dynamically registered client (RFC 7592). Tenants opt into open registration.

ALTER TABLE clients ADD COLUMN token_endpoint_auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN dpop_bound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN introspect_any INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN registration_token_hash TEXT;
ALTER TABLE tenants ADD COLUMN open_registration INTEGER NOT NULL DEFAULT 0;

-- The OAuth 2.0 / OpenID Connect provider (issue 14; same meaning as migrations/d1/0008):
-- where RP-initiated logout may send a client's users back, and remembered consents.

ALTER TABLE clients ADD COLUMN IF NOT EXISTS post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';

CREATE TABLE IF NOT EXISTS oauth_consents (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, client_id)
);

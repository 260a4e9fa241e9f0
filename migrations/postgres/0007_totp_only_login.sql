-- Ours (issue 12, finding 2; same meaning as migrations/d1/0007): email plus a TOTP code
-- is a sign-in only in tenants whose admin opted in. Off (0) by default, for existing
-- tenants too.

ALTER TABLE tenants ADD COLUMN IF NOT EXISTS totp_only_login BIGINT NOT NULL DEFAULT 0;

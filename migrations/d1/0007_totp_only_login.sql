-- Ours (issue 12, finding 2): email plus a TOTP code is a sign-in only in tenants whose
-- admin opted in. Off (0) by default, for existing tenants too.

ALTER TABLE tenants ADD COLUMN totp_only_login INTEGER NOT NULL DEFAULT 0;

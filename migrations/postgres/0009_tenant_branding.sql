-- Ours (issue 14, "The pages are a product"; same meaning as migrations/d1/0009): a
-- tenant's branding of the sign-in pages, set by its admin. Each is NULL until set; the
-- API validates every value before it is written (src/branding), and the pages validate
-- it again when they read it.

ALTER TABLE tenants ADD COLUMN IF NOT EXISTS brand_display_name TEXT;
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS brand_logo_url TEXT;
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS brand_accent_color TEXT;

-- Modify "practices" table
ALTER TABLE "practices" ADD COLUMN "two_factor_roles" jsonb NULL;
-- Modify "users" table
ALTER TABLE "users" ADD COLUMN "totp_secret" character varying NULL, ADD COLUMN "totp_enabled_at" timestamptz NULL, ADD COLUMN "totp_last_step" bigint NULL DEFAULT 0, ADD COLUMN "recovery_code_hashes" jsonb NULL, ADD COLUMN "sign_in_challenge_hash" character varying NULL, ADD COLUMN "sign_in_challenge_expires_at" timestamptz NULL;

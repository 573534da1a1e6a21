-- Modify "users" table
ALTER TABLE "users" ADD COLUMN "password_reset_hash" character varying NULL, ADD COLUMN "password_reset_expires_at" timestamptz NULL;

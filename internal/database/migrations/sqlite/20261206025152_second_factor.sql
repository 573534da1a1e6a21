-- Add column "two_factor_roles" to table: "practices"
ALTER TABLE `practices` ADD COLUMN `two_factor_roles` json NULL;
-- The second factor's columns of "users", added in place (Atlas proposed
-- rebuilding the table for the column with a default; SQLite adds one with
-- a constant default as it is, and the rows keep their ids and references).
ALTER TABLE `users` ADD COLUMN `totp_secret` text NULL;
ALTER TABLE `users` ADD COLUMN `totp_enabled_at` datetime NULL;
ALTER TABLE `users` ADD COLUMN `totp_last_step` integer NULL DEFAULT 0;
ALTER TABLE `users` ADD COLUMN `recovery_code_hashes` json NULL;
ALTER TABLE `users` ADD COLUMN `sign_in_challenge_hash` text NULL;
ALTER TABLE `users` ADD COLUMN `sign_in_challenge_expires_at` datetime NULL;

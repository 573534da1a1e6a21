-- Add column "password_reset_hash" to table: "users"
ALTER TABLE `users` ADD COLUMN `password_reset_hash` text NULL;
-- Add column "password_reset_expires_at" to table: "users"
ALTER TABLE `users` ADD COLUMN `password_reset_expires_at` datetime NULL;

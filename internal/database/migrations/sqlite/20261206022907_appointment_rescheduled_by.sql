-- Add column "rescheduled_by" to table: "appointments"
ALTER TABLE `appointments` ADD COLUMN `rescheduled_by` text NULL;

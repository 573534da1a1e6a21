-- Modify "appointments" table
ALTER TABLE "appointments" ADD COLUMN "rescheduled_by" character varying NULL;

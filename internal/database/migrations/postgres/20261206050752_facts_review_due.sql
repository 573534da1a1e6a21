-- Modify "client_facts" table
ALTER TABLE "client_facts" ADD COLUMN "review_due_at" timestamptz NULL;

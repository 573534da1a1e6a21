-- Add column "review_due_at" to table: "client_facts"
ALTER TABLE `client_facts` ADD COLUMN `review_due_at` datetime NULL;

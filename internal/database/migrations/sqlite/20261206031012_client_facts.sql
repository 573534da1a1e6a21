-- Create "client_facts" table
CREATE TABLE `client_facts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `practice_id` integer NOT NULL, `client_id` integer NOT NULL, `version` integer NOT NULL, `updated_at` datetime NOT NULL, `episode_id` integer NULL, `episode_opened_at` datetime NULL, `episode_closed_at` datetime NULL, `strike_count` integer NOT NULL, `strike_appointment_ids` json NOT NULL, `last_seen_at` datetime NULL, `last_contact_at` datetime NULL, `last_inbound_at` datetime NULL, `warning_sent_at` datetime NULL, `warning_close_by` datetime NULL, `settled_until` datetime NULL, `booked` json NOT NULL, `recurring` json NOT NULL, `paperwork` json NOT NULL, `attendance` json NOT NULL, `primary_caregiver_id` integer NULL, `contact_caregiver_id` integer NULL, `caregivers` integer NOT NULL);
-- Set sequence for "client_facts" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("client_facts", 60129542144);
-- Create index "clientfacts_client_id" to table: "client_facts"
CREATE UNIQUE INDEX `clientfacts_client_id` ON `client_facts` (`client_id`);
-- Create index "clientfacts_practice_id" to table: "client_facts"
CREATE INDEX `clientfacts_practice_id` ON `client_facts` (`practice_id`);

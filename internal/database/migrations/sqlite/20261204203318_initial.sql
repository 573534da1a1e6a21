-- Create "appointments" table
CREATE TABLE `appointments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `kind` text NOT NULL DEFAULT ('THERAPY'), `status` text NOT NULL DEFAULT ('SCHEDULED'), `minutes_late` integer NULL, `canceled_by` text NULL, `canceled_at` datetime NULL, `cancel_reason` text NULL, `confirmed_at` datetime NULL, `reminder_sent_at` datetime NULL, `reminder_channel` text NULL, `excused` bool NOT NULL DEFAULT (false), `excuse_reason` text NULL, `series_id` text NULL, `practice_id` integer NOT NULL, `filled_from_id` integer NULL, `client_id` integer NOT NULL, `clinician_id` integer NOT NULL, `episode_id` integer NULL, CONSTRAINT `appointments_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `appointments_appointments_filled_by` FOREIGN KEY (`filled_from_id`) REFERENCES `appointments` (`id`) ON DELETE SET NULL, CONSTRAINT `appointments_clients_appointments` FOREIGN KEY (`client_id`) REFERENCES `clients` (`id`) ON DELETE NO ACTION, CONSTRAINT `appointments_clinicians_appointments` FOREIGN KEY (`clinician_id`) REFERENCES `clinicians` (`id`) ON DELETE NO ACTION, CONSTRAINT `appointments_episodes_appointments` FOREIGN KEY (`episode_id`) REFERENCES `episodes` (`id`) ON DELETE SET NULL);
-- Create index "appointments_filled_from_id_key" to table: "appointments"
CREATE UNIQUE INDEX `appointments_filled_from_id_key` ON `appointments` (`filled_from_id`);
-- Create index "appointment_client_id_starts_at" to table: "appointments"
CREATE INDEX `appointment_client_id_starts_at` ON `appointments` (`client_id`, `starts_at`);
-- Create index "appointment_practice_id_clinician_id_starts_at" to table: "appointments"
CREATE INDEX `appointment_practice_id_clinician_id_starts_at` ON `appointments` (`practice_id`, `clinician_id`, `starts_at`);
-- Create index "appointment_practice_id_starts_at" to table: "appointments"
CREATE INDEX `appointment_practice_id_starts_at` ON `appointments` (`practice_id`, `starts_at`);
-- Create index "appointment_episode_id_status" to table: "appointments"
CREATE INDEX `appointment_episode_id_status` ON `appointments` (`episode_id`, `status`);
-- Create "audit_events" table
CREATE TABLE `audit_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `actor_id` integer NULL, `actor_role` text NOT NULL DEFAULT (''), `action` text NOT NULL, `entity_type` text NOT NULL DEFAULT (''), `entity_id` integer NULL, `client_id` integer NULL, `request_id` text NOT NULL DEFAULT (''), `address` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `occurred_at` datetime NOT NULL, `detail` text NOT NULL DEFAULT (''), `outcome` text NOT NULL, `practice_id` integer NOT NULL, CONSTRAINT `audit_events_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION);
-- Set sequence for "audit_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("audit_events", 4294967296);
-- Create index "auditevent_practice_id_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_practice_id_occurred_at` ON `audit_events` (`practice_id`, `occurred_at`);
-- Create index "auditevent_client_id_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_client_id_occurred_at` ON `audit_events` (`client_id`, `occurred_at`);
-- Create index "auditevent_actor_id_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_actor_id_occurred_at` ON `audit_events` (`actor_id`, `occurred_at`);
-- Create "caregivers" table
CREATE TABLE `caregivers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `relationship` text NOT NULL, `phone` text NULL, `email` text NULL, `is_primary` bool NOT NULL DEFAULT (false), `consent_to_contact` bool NOT NULL DEFAULT (false), `practice_id` integer NOT NULL, `client_id` integer NOT NULL, CONSTRAINT `caregivers_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `caregivers_clients_caregivers` FOREIGN KEY (`client_id`) REFERENCES `clients` (`id`) ON DELETE NO ACTION);
-- Set sequence for "caregivers" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("caregivers", 8589934592);
-- Create index "caregiver_client_id" to table: "caregivers"
CREATE INDEX `caregiver_client_id` ON `caregivers` (`client_id`);
-- Create "clients" table
CREATE TABLE `clients` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `first_name` text NOT NULL, `last_name` text NOT NULL, `date_of_birth` date NULL, `email` text NULL, `phone` text NULL, `preferred_contact_channel` text NOT NULL DEFAULT ('PHONE'), `session_frequency` text NOT NULL DEFAULT ('WEEKLY'), `status` text NOT NULL DEFAULT ('WAITLIST'), `modality` text NULL, `wants_earlier_appointment` bool NOT NULL DEFAULT (false), `availability` json NULL, `recurring_privilege` bool NOT NULL DEFAULT (false), `practice_id` integer NOT NULL, `clinician_id` integer NULL, CONSTRAINT `clients_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `clients_clinicians_clients` FOREIGN KEY (`clinician_id`) REFERENCES `clinicians` (`id`) ON DELETE SET NULL);
-- Set sequence for "clients" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("clients", 12884901888);
-- Create index "clientprofile_practice_id_clinician_id_status" to table: "clients"
CREATE INDEX `clientprofile_practice_id_clinician_id_status` ON `clients` (`practice_id`, `clinician_id`, `status`);
-- Create index "clientprofile_practice_id_last_name_first_name" to table: "clients"
CREATE INDEX `clientprofile_practice_id_last_name_first_name` ON `clients` (`practice_id`, `last_name`, `first_name`);
-- Create "clinicians" table
CREATE TABLE `clinicians` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `credentials` text NOT NULL DEFAULT (''), `weekly_slots` integer NOT NULL DEFAULT (30), `accepting_new_clients` bool NOT NULL DEFAULT (true), `modalities` json NULL, `practice_id` integer NOT NULL, `supervisor_id` integer NULL, `user_id` integer NULL, CONSTRAINT `clinicians_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `clinicians_clinicians_supervisees` FOREIGN KEY (`supervisor_id`) REFERENCES `clinicians` (`id`) ON DELETE SET NULL, CONSTRAINT `clinicians_users_clinician` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Set sequence for "clinicians" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("clinicians", 17179869184);
-- Create index "clinicians_user_id_key" to table: "clinicians"
CREATE UNIQUE INDEX `clinicians_user_id_key` ON `clinicians` (`user_id`);
-- Create "contacts" table
CREATE TABLE `contacts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `channel` text NOT NULL, `direction` text NOT NULL, `purpose` text NOT NULL, `occurred_at` datetime NOT NULL, `billable_minutes` integer NOT NULL DEFAULT (0), `close_by` date NULL, `note` text NULL, `client_id` integer NOT NULL, `practice_id` integer NOT NULL, `clinician_id` integer NULL, CONSTRAINT `contacts_clients_contacts` FOREIGN KEY (`client_id`) REFERENCES `clients` (`id`) ON DELETE NO ACTION, CONSTRAINT `contacts_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `contacts_clinicians_clinician` FOREIGN KEY (`clinician_id`) REFERENCES `clinicians` (`id`) ON DELETE SET NULL);
-- Set sequence for "contacts" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("contacts", 21474836480);
-- Create index "contact_client_id_occurred_at" to table: "contacts"
CREATE INDEX `contact_client_id_occurred_at` ON `contacts` (`client_id`, `occurred_at`);
-- Create index "contact_practice_id_occurred_at" to table: "contacts"
CREATE INDEX `contact_practice_id_occurred_at` ON `contacts` (`practice_id`, `occurred_at`);
-- Create "documents" table
CREATE TABLE `documents` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `body` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('DRAFT'), `signed_at` datetime NULL, `version` integer NOT NULL DEFAULT (1), `appointment_id` integer NULL, `client_id` integer NOT NULL, `contact_id` integer NULL, `practice_id` integer NOT NULL, `author_id` integer NOT NULL, `amends_id` integer NULL, CONSTRAINT `documents_appointments_documents` FOREIGN KEY (`appointment_id`) REFERENCES `appointments` (`id`) ON DELETE SET NULL, CONSTRAINT `documents_clients_documents` FOREIGN KEY (`client_id`) REFERENCES `clients` (`id`) ON DELETE NO ACTION, CONSTRAINT `documents_contacts_documents` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE SET NULL, CONSTRAINT `documents_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `documents_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `documents_documents_addenda` FOREIGN KEY (`amends_id`) REFERENCES `documents` (`id`) ON DELETE SET NULL);
-- Set sequence for "documents" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("documents", 25769803776);
-- Create index "document_client_id_kind_status" to table: "documents"
CREATE INDEX `document_client_id_kind_status` ON `documents` (`client_id`, `kind`, `status`);
-- Create index "document_appointment_id" to table: "documents"
CREATE INDEX `document_appointment_id` ON `documents` (`appointment_id`);
-- Create index "document_contact_id" to table: "documents"
CREATE INDEX `document_contact_id` ON `documents` (`contact_id`);
-- Create index "documents_one_note_per_session" to table: "documents"
CREATE UNIQUE INDEX `documents_one_note_per_session` ON `documents` (`appointment_id`, `kind`) WHERE kind IN ('PROGRESS_NOTE', 'INTAKE') AND appointment_id IS NOT NULL;
-- Create "episodes" table
CREATE TABLE `episodes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `opened_at` datetime NOT NULL, `closed_at` datetime NULL, `close_reason` text NULL, `client_id` integer NOT NULL, `practice_id` integer NOT NULL, `clinician_id` integer NULL, CONSTRAINT `episodes_clients_episodes` FOREIGN KEY (`client_id`) REFERENCES `clients` (`id`) ON DELETE NO ACTION, CONSTRAINT `episodes_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `episodes_clinicians_clinician` FOREIGN KEY (`clinician_id`) REFERENCES `clinicians` (`id`) ON DELETE SET NULL);
-- Set sequence for "episodes" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("episodes", 30064771072);
-- Create index "episode_client_id_opened_at" to table: "episodes"
CREATE INDEX `episode_client_id_opened_at` ON `episodes` (`client_id`, `opened_at`);
-- Create index "episode_practice_id_opened_at" to table: "episodes"
CREATE INDEX `episode_practice_id_opened_at` ON `episodes` (`practice_id`, `opened_at`);
-- Create index "episode_practice_id_closed_at" to table: "episodes"
CREATE INDEX `episode_practice_id_closed_at` ON `episodes` (`practice_id`, `closed_at`);
-- Create "idempotency_records" table
CREATE TABLE `idempotency_records` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `user_id` integer NOT NULL, `key` text NOT NULL, `request_hash` text NOT NULL, `response` blob NULL, `created_at` datetime NOT NULL, `practice_id` integer NOT NULL, CONSTRAINT `idempotency_records_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION);
-- Set sequence for "idempotency_records" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("idempotency_records", 47244640256);
-- Create index "idempotencyrecord_practice_id_user_id_key" to table: "idempotency_records"
CREATE UNIQUE INDEX `idempotencyrecord_practice_id_user_id_key` ON `idempotency_records` (`practice_id`, `user_id`, `key`);
-- Create index "idempotencyrecord_created_at" to table: "idempotency_records"
CREATE INDEX `idempotencyrecord_created_at` ON `idempotency_records` (`created_at`);
-- Create "login_throttles" table
CREATE TABLE `login_throttles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `scope` text NOT NULL, `key` text NOT NULL, `failures` integer NOT NULL DEFAULT (0), `window_started_at` datetime NOT NULL, `locked_until` datetime NULL);
-- Set sequence for "login_throttles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("login_throttles", 51539607552);
-- Create index "loginthrottle_key" to table: "login_throttles"
CREATE UNIQUE INDEX `loginthrottle_key` ON `login_throttles` (`key`);
-- Create index "loginthrottle_window_started_at" to table: "login_throttles"
CREATE INDEX `loginthrottle_window_started_at` ON `login_throttles` (`window_started_at`);
-- Create "new_client_requests" table
CREATE TABLE `new_client_requests` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `count` integer NOT NULL, `note` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('OPEN'), `assigned_count` integer NOT NULL DEFAULT (0), `closed_at` datetime NULL, `clinician_id` integer NOT NULL, `practice_id` integer NOT NULL, CONSTRAINT `new_client_requests_clinicians_new_client_requests` FOREIGN KEY (`clinician_id`) REFERENCES `clinicians` (`id`) ON DELETE NO ACTION, CONSTRAINT `new_client_requests_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION);
-- Set sequence for "new_client_requests" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_client_requests", 34359738368);
-- Create index "newclientrequest_practice_id_status_created_at" to table: "new_client_requests"
CREATE INDEX `newclientrequest_practice_id_status_created_at` ON `new_client_requests` (`practice_id`, `status`, `created_at`);
-- Create index "new_client_requests_one_open" to table: "new_client_requests"
CREATE UNIQUE INDEX `new_client_requests_one_open` ON `new_client_requests` (`clinician_id`) WHERE status = 'OPEN';
-- Create "practices" table
CREATE TABLE `practices` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `time_zone` text NOT NULL DEFAULT ('America/New_York'), `policy` json NOT NULL);
-- Set sequence for "practices" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("practices", 38654705664);
-- Create "refresh_tokens" table
CREATE TABLE `refresh_tokens` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `family` text NOT NULL, `token_hash` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `used_at` datetime NULL, `revoked_at` datetime NULL, `practice_id` integer NOT NULL, `user_id` integer NOT NULL, CONSTRAINT `refresh_tokens_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION, CONSTRAINT `refresh_tokens_users_refresh_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- Set sequence for "refresh_tokens" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("refresh_tokens", 55834574848);
-- Create index "refreshtoken_token_hash" to table: "refresh_tokens"
CREATE UNIQUE INDEX `refreshtoken_token_hash` ON `refresh_tokens` (`token_hash`);
-- Create index "refreshtoken_family" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_family` ON `refresh_tokens` (`family`);
-- Create index "refreshtoken_user_id_expires_at" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_user_id_expires_at` ON `refresh_tokens` (`user_id`, `expires_at`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `password_hash` text NOT NULL, `role` text NOT NULL, `active` bool NOT NULL DEFAULT (true), `last_login_at` datetime NULL, `practice_id` integer NOT NULL, CONSTRAINT `users_practices_practice` FOREIGN KEY (`practice_id`) REFERENCES `practices` (`id`) ON DELETE NO ACTION);
-- Set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 42949672960);
-- Create index "user_email" to table: "users"
CREATE UNIQUE INDEX `user_email` ON `users` (`email`);

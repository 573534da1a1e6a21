-- No clinician and no client is ever double-booked, even when two requests
-- book at the same moment (the appointment hook checks the same in Go, with
-- a clear error; this is the guarantee under concurrency). Ranges of the ids
-- stand in for equality so that the built-in GiST operator classes suffice
-- (no btree_gist extension to install). Cancelled sessions free their slot.
-- ent cannot declare exclusion constraints, so this file is written by hand.
-- Databases created before versioned migrations already have both
-- constraints (their server added them at every start): hence IF NOT EXISTS.
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_clinician_no_overlap' AND connamespace = to_regnamespace(current_schema())) THEN
		ALTER TABLE appointments ADD CONSTRAINT appointments_clinician_no_overlap EXCLUDE USING gist
			(int8range(clinician_id, clinician_id, '[]') WITH &&, tstzrange(starts_at, ends_at) WITH &&)
			WHERE (status <> 'CANCELED');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_client_no_overlap' AND connamespace = to_regnamespace(current_schema())) THEN
		ALTER TABLE appointments ADD CONSTRAINT appointments_client_no_overlap EXCLUDE USING gist
			(int8range(client_id, client_id, '[]') WITH &&, tstzrange(starts_at, ends_at) WITH &&)
			WHERE (status <> 'CANCELED');
	END IF;
END $$;

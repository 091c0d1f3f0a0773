-- The Location header of an idempotent call's first answer (a created dossier's address), so
-- that a replay answers with it too.
ALTER TABLE idempotency_keys ADD COLUMN location TEXT;

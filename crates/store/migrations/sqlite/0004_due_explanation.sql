-- How the due instant was computed, kept with it when it is fixed (receipt) or moved (pauses),
-- so a later change of the calendar or of working hours never rewrites a promise already given.
ALTER TABLE dossiers ADD COLUMN due_explanation TEXT;

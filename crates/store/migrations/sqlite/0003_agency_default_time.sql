-- The processing time an agency applies when the catalogue gives none (LEGAL-TIME.md: a bare
-- number takes the agency's default unit; no time at all takes its default value and unit).
-- NULL: 10 working days.
ALTER TABLE agencies ADD COLUMN default_time_value REAL;
ALTER TABLE agencies ADD COLUMN default_time_unit TEXT;

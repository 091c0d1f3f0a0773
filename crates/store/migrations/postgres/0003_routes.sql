-- Processing routes (issue 5): where each dossier stands on its route, who holds it, the
-- steps in its history, and the duties officials hold in agencies.

-- The route the dossier follows (chosen at submission, kept if the files change later), its
-- current step (or the step it resumes at after a supplement), the agency performing that
-- step, since when, and the official it is assigned to (NULL: the step's role pool).
ALTER TABLE dossiers ADD COLUMN route_id TEXT;
ALTER TABLE dossiers ADD COLUMN step TEXT;
ALTER TABLE dossiers ADD COLUMN step_agency_code TEXT;
ALTER TABLE dossiers ADD COLUMN step_since TIMESTAMPTZ;
ALTER TABLE dossiers ADD COLUMN assignee_id BIGINT REFERENCES users(id);
-- The new appointment given with an apology (form 04). The due instant for the indices
-- (due_at) never moves with it (LEGAL-TIME.md, "Late dossiers").
ALTER TABLE dossiers ADD COLUMN appointment_at TIMESTAMPTZ;
-- Dossiers submitted before routes existed start at the receive step of their level's route.
UPDATE dossiers SET step_agency_code = agency_code, step_since = COALESCE(received_at, submitted_at)
 WHERE status <> 'draft';
CREATE INDEX dossiers_step_queue ON dossiers(step_agency_code, status, due_at);
-- The desk's first page: the dossiers in progress at an agency's steps, due soonest first,
-- read in index order (a queue of 100,000 is never sorted whole).
CREATE INDEX dossiers_desk_due ON dossiers(step_agency_code, due_at, code)
 WHERE status IN ('submitted', 'received', 'supplement_requested', 'approved');
-- Who holds what: the few dossiers assigned to a named official.
CREATE INDEX dossiers_assignee ON dossiers(step_agency_code, assignee_id)
 WHERE assignee_id IS NOT NULL AND status IN ('submitted', 'received', 'supplement_requested', 'approved');

-- Steps in the history, and what an action said beyond its reason (JSON: the legal basis of
-- a refusal, an apology's new appointment, an assignee, the steps passed on the way).
ALTER TABLE dossier_history ADD COLUMN from_step TEXT;
ALTER TABLE dossier_history ADD COLUMN to_step TEXT;
ALTER TABLE dossier_history ADD COLUMN detail TEXT;

-- Duties (receiving_desk, specialist, leader, agency_admin) officials hold in agencies. An
-- official with no row holds every duty of the agency on their account.
CREATE TABLE official_roles (
    user_id     BIGINT NOT NULL REFERENCES users(id),
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    role        TEXT NOT NULL,
    PRIMARY KEY (user_id, agency_code, role)
);
CREATE INDEX official_roles_agency ON official_roles(agency_code, role);

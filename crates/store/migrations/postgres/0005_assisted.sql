-- Assisted submission at the one-stop desk (issue 6, item 6).

-- The channel the dossier came in by (Decree 61/2018/NĐ-CP Art. 14: in person, by post, or
-- online). The online-submission rate (INDICES.md) counts only 'online'; an official's
-- submission for a citizen present at the desk is 'in_person'.
ALTER TABLE dossiers ADD COLUMN channel TEXT NOT NULL DEFAULT 'online'
    CHECK (channel IN ('online', 'in_person', 'post'));
-- The desk official who submitted it for the applicant; NULL for a citizen's own. While
-- owner_id still equals submitted_by the dossier waits to be claimed by its applicant.
ALTER TABLE dossiers ADD COLUMN submitted_by BIGINT REFERENCES users(id);
-- A claim looks the dossier up by its code (already unique); the applicant's ID number is
-- compared on that one row.

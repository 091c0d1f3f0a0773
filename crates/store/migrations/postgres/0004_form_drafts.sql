-- What a citizen has typed in a submission's first steps (where to submit, who it is for, how
-- to receive the result), saved at every step before the dossier draft exists (DESIGN.md §3:
-- "multi-step forms save a server-side draft at every step"). One per account and procedure;
-- deleted when the dossier draft is created from it. `fields` is a JSON object of strings,
-- kept as typed (even when not yet valid) so that nothing typed is lost.
CREATE TABLE form_drafts (
    owner_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    procedure_code TEXT NOT NULL REFERENCES procedures(code),
    step           TEXT NOT NULL,
    fields         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_id, procedure_code)
);
CREATE INDEX form_drafts_recent ON form_drafts(owner_id, updated_at);

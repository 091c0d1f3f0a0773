-- motcua schema, SQLite backend. Timestamps are UTC, stored as RFC 3339 text by sqlx.

CREATE TABLE provinces (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    full_name    TEXT NOT NULL,
    full_name_en TEXT NOT NULL
);

CREATE TABLE communes (
    code          TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    full_name_en  TEXT NOT NULL
);
CREATE INDEX communes_province ON communes(province_code);

CREATE TABLE agencies (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    name_folded   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    level         TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT,
    commune_code  TEXT
);
CREATE INDEX agencies_kind ON agencies(kind, province_code);

CREATE TABLE procedures (
    code                 TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    name_folded          TEXT NOT NULL,
    field                TEXT,
    levels               TEXT NOT NULL,      -- ",commune,province," for LIKE filters
    online_level         TEXT NOT NULL,      -- full | partial | offline
    online_level_by_admin INTEGER NOT NULL DEFAULT 0,
    agency_needs_review  INTEGER NOT NULL DEFAULT 0,
    import_problems      TEXT NOT NULL DEFAULT '[]',
    data                 TEXT NOT NULL,      -- the structured procedure, JSON
    updated_at           TEXT NOT NULL
);

CREATE TABLE procedure_agency_kinds (
    procedure_code TEXT NOT NULL REFERENCES procedures(code) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    PRIMARY KEY (procedure_code, kind)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    phone         TEXT UNIQUE,
    email         TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,              -- citizen | official | admin
    agency_code   TEXT REFERENCES agencies(code),
    created_at    TEXT NOT NULL
);

-- Page sessions and bearer tokens: only a SHA-256 of the secret is stored.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,                -- cookie | bearer
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE dossiers (
    id                  TEXT PRIMARY KEY,     -- UUID, from the first draft
    code                TEXT UNIQUE,          -- issued at submission
    procedure_code      TEXT NOT NULL REFERENCES procedures(code),
    agency_code         TEXT NOT NULL REFERENCES agencies(code),
    owner_id            INTEGER NOT NULL REFERENCES users(id),
    applicant           TEXT NOT NULL,        -- JSON: full_name, id_number, phone, address
    applicant_id_number TEXT NOT NULL,
    delivery            TEXT NOT NULL,        -- online | post | in_person
    form                TEXT NOT NULL,        -- JSON as given
    status              TEXT NOT NULL,
    resume_status       TEXT,                 -- status to return to after a supplement
    version             INTEGER NOT NULL DEFAULT 1,
    time_value          REAL,                 -- processing time value …
    time_unit           TEXT,                 -- … and unit, as in the catalogue
    time_flagged        INTEGER NOT NULL DEFAULT 0,
    same_day_cutoff     TEXT,
    created_at          TEXT NOT NULL,
    submitted_at        TEXT,
    received_at         TEXT,
    decided_at          TEXT,
    returned_at         TEXT,
    due_at              TEXT,                 -- derived from the above; kept for sorting
    result_document_id  TEXT,
    updated_at          TEXT NOT NULL
);
CREATE INDEX dossiers_owner ON dossiers(owner_id, created_at);
CREATE INDEX dossiers_queue ON dossiers(agency_code, status, due_at);

CREATE TABLE dossier_counters (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,                -- Vietnam date yyMMdd
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossier_pauses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    reason     TEXT NOT NULL,                 -- supplement | payment | suspension
    from_at    TEXT NOT NULL,
    until_at   TEXT
);
CREATE INDEX dossier_pauses_dossier ON dossier_pauses(dossier_id);

CREATE TABLE dossier_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id  TEXT NOT NULL REFERENCES dossiers(id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX dossier_history_dossier ON dossier_history(dossier_id, id);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    dossier_id   TEXT NOT NULL REFERENCES dossiers(id),
    kind         TEXT NOT NULL,               -- required | supplement | result
    name         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX documents_dossier ON documents(dossier_id, created_at);

CREATE TABLE idempotency_keys (
    user_id     INTEGER NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      INTEGER NOT NULL,
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

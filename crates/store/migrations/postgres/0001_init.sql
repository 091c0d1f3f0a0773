-- motcua schema, PostgreSQL backend: the same tables and columns as the SQLite migrations
-- 0001-0004, with PostgreSQL's types (timestamps as TIMESTAMPTZ, integers the code reads as
-- i64 as BIGINT, flags the code binds as booleans as BOOLEAN). JSON documents stay TEXT: the
-- store reads and writes them whole, never queries inside them.

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
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    name_folded        TEXT NOT NULL,
    kind               TEXT NOT NULL,
    level              TEXT NOT NULL,
    parent_code        TEXT,
    province_code      TEXT,
    commune_code       TEXT,
    -- "HH:MM-HH:MM,HH:MM-HH:MM" in Vietnam time; NULL: the default 07:30-11:30,13:00-17:00.
    working_hours      TEXT,
    -- The processing time applied when the catalogue gives none; NULL: 10 working days.
    default_time_value DOUBLE PRECISION,
    default_time_unit  TEXT
);
CREATE INDEX agencies_kind ON agencies(kind, province_code);

CREATE TABLE procedures (
    code                  TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_folded           TEXT NOT NULL,
    field                 TEXT,
    levels                TEXT NOT NULL,      -- ",commune,province," for LIKE filters
    online_level          TEXT NOT NULL,      -- full | partial | offline
    online_level_by_admin BIGINT NOT NULL DEFAULT 0,
    agency_needs_review   BOOLEAN NOT NULL DEFAULT FALSE,
    import_problems       TEXT NOT NULL DEFAULT '[]',
    data                  TEXT NOT NULL,      -- the structured procedure, JSON
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE procedure_agency_kinds (
    procedure_code TEXT NOT NULL REFERENCES procedures(code) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    PRIMARY KEY (procedure_code, kind)
);
CREATE INDEX procedure_agency_kinds_kind ON procedure_agency_kinds(kind);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    phone         TEXT UNIQUE,
    email         TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,              -- citizen | official | admin
    agency_code   TEXT REFERENCES agencies(code),
    created_at    TIMESTAMPTZ NOT NULL
);

-- Page sessions and bearer tokens: only a SHA-256 of the secret is stored.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,                -- cookie | bearer
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE dossiers (
    id                  TEXT PRIMARY KEY,     -- UUID, from the first draft
    code                TEXT UNIQUE,          -- issued at submission
    procedure_code      TEXT NOT NULL REFERENCES procedures(code),
    agency_code         TEXT NOT NULL REFERENCES agencies(code),
    owner_id            BIGINT NOT NULL REFERENCES users(id),
    applicant           TEXT NOT NULL,        -- JSON: full_name, id_number, phone, address
    applicant_id_number TEXT NOT NULL,
    delivery            TEXT NOT NULL,        -- online | post | in_person
    form                TEXT NOT NULL,        -- JSON as given
    status              TEXT NOT NULL,
    resume_status       TEXT,                 -- status to return to after a supplement
    version             BIGINT NOT NULL DEFAULT 1,
    time_value          DOUBLE PRECISION,     -- processing time value …
    time_unit           TEXT,                 -- … and unit, as in the catalogue
    time_flagged        BOOLEAN NOT NULL DEFAULT FALSE,
    same_day_cutoff     TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    submitted_at        TIMESTAMPTZ,
    received_at         TIMESTAMPTZ,
    decided_at          TIMESTAMPTZ,
    returned_at         TIMESTAMPTZ,
    due_at              TIMESTAMPTZ,          -- derived from the above; kept for sorting
    result_document_id  TEXT,
    updated_at          TIMESTAMPTZ NOT NULL,
    -- How the due instant was computed (JSON), kept with it so that a later change of the
    -- calendar or of working hours never rewrites a promise already given.
    due_explanation     TEXT
);
CREATE INDEX dossiers_owner ON dossiers(owner_id, created_at);
CREATE INDEX dossiers_queue ON dossiers(agency_code, status, due_at);

CREATE TABLE dossier_counters (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,                -- Vietnam date yyMMdd
    last        BIGINT NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossier_pauses (
    id         BIGSERIAL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    reason     TEXT NOT NULL,                 -- supplement | payment | suspension
    from_at    TIMESTAMPTZ NOT NULL,
    until_at   TIMESTAMPTZ
);
CREATE INDEX dossier_pauses_dossier ON dossier_pauses(dossier_id);

CREATE TABLE dossier_history (
    id          BIGSERIAL PRIMARY KEY,
    dossier_id  TEXT NOT NULL REFERENCES dossiers(id),
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    BIGINT NOT NULL REFERENCES users(id),
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
    size         BIGINT NOT NULL,             -- bytes
    sha256       TEXT NOT NULL,
    uploaded_by  BIGINT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_dossier ON documents(dossier_id, created_at);
CREATE INDEX documents_sha256 ON documents(sha256);

CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      BIGINT NOT NULL,
    response    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Each load of a decisions file (LEGAL-TIME.md), with who loaded it.
CREATE TABLE calendar_decisions (
    id         BIGSERIAL PRIMARY KEY,
    content    TEXT NOT NULL,        -- the decisions file as loaded (JSON)
    years      TEXT NOT NULL,        -- the years it covers, comma-separated
    loaded_by  TEXT NOT NULL,
    loaded_at  TIMESTAMPTZ NOT NULL
);

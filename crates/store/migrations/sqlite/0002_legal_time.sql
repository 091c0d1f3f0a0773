-- Legal time: per-agency working hours and the Government's yearly decisions on days off.

-- "HH:MM-HH:MM,HH:MM-HH:MM" in Vietnam time; NULL: the default 07:30-11:30,13:00-17:00.
ALTER TABLE agencies ADD COLUMN working_hours TEXT;

-- Each load of a decisions file (LEGAL-TIME.md: computed defaults plus official decisions),
-- with who loaded it; the calendar is the shipped decisions merged with these, in order.
CREATE TABLE calendar_decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    content    TEXT NOT NULL,        -- the decisions file as loaded (JSON)
    years      TEXT NOT NULL,        -- the years it covers, comma-separated
    loaded_by  TEXT NOT NULL,
    loaded_at  TEXT NOT NULL
);

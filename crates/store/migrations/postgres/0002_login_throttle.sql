-- The sign-in throttle's attempt lists (shared by every server process): per key ("a:id:7",
-- "ip:203.0.113.5"), the attempt instants in the window, JSON array of Unix milliseconds.
CREATE TABLE login_throttle (
    key        TEXT PRIMARY KEY,
    attempts   TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle(updated_at);

-- Users, bearer tokens (their SHA-256 hashes only), the access log and idempotency keys.
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'inspector', 'auditor')),
    units TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);

-- A token is stored only as the SHA-256 hash of its text; token_id is its public handle.
CREATE TABLE IF NOT EXISTS tokens (
    token_id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Who read which household when (inspectors and auditors): append-only.
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name TEXT NOT NULL,
    household_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_household_idx ON access_log (household_id, at);
CREATE INDEX IF NOT EXISTS access_log_user_idx ON access_log (user_name, at);

CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on access_log is refused: the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on access_log is refused: the access log is append-only'); END;

-- Idempotency-Key: one row per (user, key); status_code NULL while the first request runs.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_name TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (user_name, idempotency_key)
);

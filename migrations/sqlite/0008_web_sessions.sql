-- Sign-in sessions of the web pages. The cookie carries a random secret; only its SHA-256 is
-- kept here, with the SHA-256 of the bearer token the session was opened with (so a revoked
-- token or a disabled user ends the session). Sign-out deletes the row.
CREATE TABLE IF NOT EXISTS web_sessions (
    session_sha256 TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL,
    user_name TEXT NOT NULL REFERENCES users (name),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_token_idx ON web_sessions (token_sha256);
CREATE INDEX IF NOT EXISTS web_sessions_expiry_idx ON web_sessions (expires_at);

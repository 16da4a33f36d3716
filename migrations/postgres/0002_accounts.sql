-- Users, bearer tokens (their SHA-256 hashes only), the access log and idempotency keys.
-- The search_path is set to the target schema by the migrations runner.
CREATE TABLE IF NOT EXISTS users (
    name text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('admin', 'officer', 'inspector', 'auditor')),
    units text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL
);

-- A token is stored only as the SHA-256 hash of its text; token_id is its public handle.
CREATE TABLE IF NOT EXISTS tokens (
    token_id text PRIMARY KEY,
    user_name text NOT NULL REFERENCES users (name),
    token_sha256 text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

-- Who read which household when (inspectors and auditors): append-only.
CREATE TABLE IF NOT EXISTS access_log (
    id bigserial PRIMARY KEY,
    user_name text NOT NULL,
    household_id uuid NOT NULL,
    endpoint text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_household_idx ON access_log (household_id, at);
CREATE INDEX IF NOT EXISTS access_log_user_idx ON access_log (user_name, at);

-- chungtay_refuse_change() comes from 0001_event_store.sql.
CREATE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER access_log_no_truncate
    BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();

-- Idempotency-Key: one row per (user, key); status_code NULL while the first request runs.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_name text NOT NULL,
    idempotency_key text NOT NULL,
    fingerprint text NOT NULL,
    status_code integer,
    response_body text,
    created_at timestamptz NOT NULL,
    completed_at timestamptz,
    PRIMARY KEY (user_name, idempotency_key)
);

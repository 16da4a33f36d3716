-- Idempotency keys get a lease: a reservation whose request died (a killed worker, a lost
-- connection) is taken over once lease_until has passed; lease_token fences the answer, which is
-- written in the same transaction as the facts of the request.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS lease_token text;
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS lease_until timestamptz;

-- A disabled user's tokens are refused (401); the user is kept, as the facts name it.
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled_at timestamptz;

-- The access log is hash-chained: hash = SHA-256(prev_hash || the row's canonical JSON).
-- Rows written before this migration have no hash and come first.
ALTER TABLE access_log ADD COLUMN IF NOT EXISTS prev_hash bytea;
ALTER TABLE access_log ADD COLUMN IF NOT EXISTS hash bytea;

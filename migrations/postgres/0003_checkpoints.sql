-- Signed audit checkpoints: "on signed_at the log held tree_size events with this Merkle root".
-- The search_path is set to the target schema by the migrations runner.
-- signature is Ed25519 over the canonical JSON {"root_hash","signed_at","tree_size"}
-- (see infrastructure/signing.py); key_id is the SHA-256 (hex) of the raw public key.
CREATE TABLE IF NOT EXISTS checkpoints (
    id bigserial PRIMARY KEY,
    tree_size bigint NOT NULL CHECK (tree_size >= 0),
    root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
    signed_at timestamptz NOT NULL,
    signature bytea NOT NULL CHECK (octet_length(signature) = 64),
    public_key text NOT NULL,
    key_id text NOT NULL
);

-- Append-only like the ledger (chungtay_refuse_change() comes from 0001_event_store.sql).
CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER checkpoints_no_truncate
    BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();

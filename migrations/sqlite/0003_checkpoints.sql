-- Signed audit checkpoints: "on signed_at the log held tree_size events with this Merkle root".
-- signature is Ed25519 over the canonical JSON {"root_hash","signed_at","tree_size"}
-- (see infrastructure/signing.py); signed_at is kept as the exact text that was signed;
-- key_id is the SHA-256 (hex) of the raw public key.
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
    signed_at TEXT NOT NULL,
    signature BLOB NOT NULL CHECK (length(signature) = 64),
    public_key TEXT NOT NULL,
    key_id TEXT NOT NULL
);

-- Append-only like the ledger.
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on checkpoints is refused: the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on checkpoints is refused: the ledger is append-only'); END;

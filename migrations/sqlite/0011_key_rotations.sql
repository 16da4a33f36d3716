-- Signing-key rotations, append-only: each is signed by the key it retires and by the new key,
-- over the canonical JSON {"after_checkpoint","new_key_id","new_public_key","old_key_id",
-- "rotated_at","statement":"key_rotation"}. Checkpoints with an id above after_checkpoint are
-- signed by the new key; verification follows the chain from any key it trusts.
CREATE TABLE IF NOT EXISTS key_rotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    after_checkpoint INTEGER NOT NULL CHECK (after_checkpoint >= 0),
    rotated_at TEXT NOT NULL,
    old_public_key TEXT NOT NULL,
    old_key_id TEXT NOT NULL,
    new_public_key TEXT NOT NULL,
    new_key_id TEXT NOT NULL,
    old_signature BLOB NOT NULL CHECK (length(old_signature) = 64),
    new_signature BLOB NOT NULL CHECK (length(new_signature) = 64)
);
CREATE TRIGGER IF NOT EXISTS key_rotations_no_update BEFORE UPDATE ON key_rotations
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on key_rotations is refused: the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS key_rotations_no_delete BEFORE DELETE ON key_rotations
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on key_rotations is refused: the ledger is append-only'); END;

-- A checkpoint also signs the head of the hash-chained access log (NULL in older checkpoints).
ALTER TABLE checkpoints ADD COLUMN access_log_size INTEGER;
ALTER TABLE checkpoints ADD COLUMN access_log_head BLOB;

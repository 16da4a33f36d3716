-- Signing-key rotations, append-only: each is signed by the key it retires and by the new key,
-- over the canonical JSON {"after_checkpoint","new_key_id","new_public_key","old_key_id",
-- "rotated_at","statement":"key_rotation"}. Checkpoints with an id above after_checkpoint are
-- signed by the new key; verification follows the chain from any key it trusts.
-- rotated_at is kept as the exact text that was signed.
CREATE TABLE IF NOT EXISTS key_rotations (
    id bigserial PRIMARY KEY,
    after_checkpoint bigint NOT NULL CHECK (after_checkpoint >= 0),
    rotated_at text NOT NULL,
    old_public_key text NOT NULL,
    old_key_id text NOT NULL,
    new_public_key text NOT NULL,
    new_key_id text NOT NULL,
    old_signature bytea NOT NULL CHECK (octet_length(old_signature) = 64),
    new_signature bytea NOT NULL CHECK (octet_length(new_signature) = 64)
);
CREATE TRIGGER key_rotations_append_only
    BEFORE UPDATE OR DELETE ON key_rotations
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER key_rotations_no_truncate
    BEFORE TRUNCATE ON key_rotations
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();

-- A checkpoint also signs the head of the hash-chained access log (NULL in older checkpoints).
ALTER TABLE checkpoints ADD COLUMN IF NOT EXISTS access_log_size bigint;
ALTER TABLE checkpoints ADD COLUMN IF NOT EXISTS access_log_head bytea;

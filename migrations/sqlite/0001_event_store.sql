-- The event store of the "Households" application and the per-household hash chain.
-- Column order matters: the library inserts positionally and reads rowid as the log position.
CREATE TABLE IF NOT EXISTS stored_events (
    originator_id TEXT,
    originator_version INTEGER,
    topic TEXT,
    state BLOB,
    PRIMARY KEY (originator_id, originator_version)
);

CREATE TABLE IF NOT EXISTS event_hashes (
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (originator_id, originator_version)
) WITHOUT ROWID;

-- Append-only: no UPDATE or DELETE (SQLite has no TRUNCATE; DELETE without WHERE fires these).
CREATE TRIGGER IF NOT EXISTS stored_events_no_update BEFORE UPDATE ON stored_events
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on stored_events is refused: the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS stored_events_no_delete BEFORE DELETE ON stored_events
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on stored_events is refused: the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS event_hashes_no_update BEFORE UPDATE ON event_hashes
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on event_hashes is refused: the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS event_hashes_no_delete BEFORE DELETE ON event_hashes
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on event_hashes is refused: the ledger is append-only'); END;

-- Runs of `chungtay demo`: what was asked and the moment up to which facts are recorded, so that
-- an interrupted run is resumed to the same history, and `demo --if-empty` never leaves a partial
-- store (it completes a run left unfinished).
CREATE TABLE IF NOT EXISTS demo_runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    households INTEGER NOT NULL CHECK (households > 0),
    seed INTEGER NOT NULL,
    to_year INTEGER NOT NULL,
    horizon TEXT NOT NULL,
    started_at TEXT NOT NULL,
    completed_at TEXT
);

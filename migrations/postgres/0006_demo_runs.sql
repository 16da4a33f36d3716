-- Runs of `chungtay demo`: what was asked and the moment up to which facts are recorded, so that
-- an interrupted run is resumed to the same history, and `demo --if-empty` never leaves a partial
-- store (it completes a run left unfinished). The search_path is set by the migrations runner.
CREATE TABLE IF NOT EXISTS demo_runs (
    run_id bigserial PRIMARY KEY,
    households integer NOT NULL CHECK (households > 0),
    seed bigint NOT NULL,
    to_year integer NOT NULL,
    horizon timestamptz NOT NULL,
    started_at timestamptz NOT NULL,
    completed_at timestamptz
);

-- Read models for the reports (issue 5): bitemporal tables derived from the event log by
-- infrastructure/projections.py. They are NOT part of the ledger: they may be emptied and
-- rebuilt from the events at any time (`chungtay projections rebuild`), so they carry no
-- append-only triggers.
--
-- Two time axes on every row:
--   valid time      valid_from .. valid_to   (ISO dates 'YYYY-MM-DD'; valid_to exclusive, NULL = open)
--   knowledge time  known_from .. known_to   (microseconds since 1970-01-01 UTC; the interval of
--                                             recorded_at during which the row was the answer;
--                                             known_to exclusive, NULL = still the answer)

-- Position of the projection in the application's notification log; updated in the same
-- transaction as the view rows (exactly-once processing).
CREATE TABLE IF NOT EXISTS rm_tracking (
    application_name TEXT PRIMARY KEY,
    notification_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Status periods of each household (the fold's timeline), as known over time.
CREATE TABLE IF NOT EXISTS rm_status_periods (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    known_from INTEGER NOT NULL,
    known_to INTEGER,
    status TEXT NOT NULL,
    recognised INTEGER NOT NULL,
    standard TEXT,
    transition TEXT,
    list_year INTEGER,
    decision_number TEXT,
    decision_version INTEGER,
    notification_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_status_periods_open_idx
    ON rm_status_periods (household_id) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_status_periods_household_idx
    ON rm_status_periods (household_id, valid_from);
CREATE INDEX IF NOT EXISTS rm_status_periods_flow_idx
    ON rm_status_periods (valid_from, transition);

-- Household attributes over time (the fold's unit, village, area type, flags), as known over time.
-- unit_code + unit_named_on: the commune code as named on that date; reports follow successor
-- links in the unit catalogue from there (application.status.unit_on).
CREATE TABLE IF NOT EXISTS rm_household_attributes (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    known_from INTEGER NOT NULL,
    known_to INTEGER,
    code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_named_on TEXT NOT NULL,
    village TEXT,
    area_type TEXT,
    ethnic_minority INTEGER NOT NULL,
    sponsor_active INTEGER NOT NULL,
    exit_registered INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    notification_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_household_attributes_open_idx
    ON rm_household_attributes (household_id) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_attributes_household_idx
    ON rm_household_attributes (household_id, valid_from);

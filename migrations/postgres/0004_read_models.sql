-- Read models for the reports (issue 5): bitemporal tables derived from the event log by
-- infrastructure/projections.py. They are NOT part of the ledger: they may be emptied and
-- rebuilt from the events at any time (`chungtay projections rebuild`), so they carry no
-- append-only triggers. The search_path is set to the target schema by the migrations runner.
--
-- Two time axes on every row:
--   valid time      valid_from .. valid_to   (dates; valid_to exclusive, NULL = open)
--   knowledge time  known_from .. known_to   (recorded_at interval during which the row was the
--                                             answer; known_to exclusive, NULL = still the answer)

-- Position of the projection in the application's notification log; updated in the same
-- transaction as the view rows (exactly-once processing).
CREATE TABLE IF NOT EXISTS rm_tracking (
    application_name text PRIMARY KEY,
    notification_id bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Status periods of each household (the fold's timeline), as known over time.
CREATE TABLE IF NOT EXISTS rm_status_periods (
    id bigserial PRIMARY KEY,
    household_id uuid NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    known_from timestamptz NOT NULL,
    known_to timestamptz,
    status text NOT NULL,
    recognised boolean NOT NULL,
    standard text,
    transition text,
    list_year integer,
    decision_number text,
    decision_version bigint,
    notification_id bigint NOT NULL
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
    id bigserial PRIMARY KEY,
    household_id uuid NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    known_from timestamptz NOT NULL,
    known_to timestamptz,
    code text NOT NULL,
    unit_code text NOT NULL,
    unit_named_on date NOT NULL,
    village text,
    area_type text,
    ethnic_minority boolean NOT NULL,
    sponsor_active boolean NOT NULL,
    exit_registered boolean NOT NULL,
    closed boolean NOT NULL,
    notification_id bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_household_attributes_open_idx
    ON rm_household_attributes (household_id) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_attributes_household_idx
    ON rm_household_attributes (household_id, valid_from);

-- The household list read model (issue 10), derived from the event log by the same exactly-once
-- projection as 0004's tables (infrastructure/projections.py); like them it may be emptied and
-- rebuilt at any time. Valid time: valid_from .. valid_to (ISO dates, valid_to exclusive, NULL =
-- open); knowledge time: known_from .. known_to (microseconds since 1970-01-01 UTC; NULL = still
-- the answer).

-- What the household list shows and filters on, per valid-time segment, as known over time.
-- search_key: code, head's name and village without diacritics, in lower case (domain/search.py).
CREATE TABLE IF NOT EXISTS rm_household_list (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    known_from INTEGER NOT NULL,
    known_to INTEGER,
    code TEXT NOT NULL,
    head_name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_named_on TEXT NOT NULL,
    village TEXT,
    status TEXT NOT NULL,
    recognised INTEGER NOT NULL,
    since TEXT,
    ethnic_minority INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    notification_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_household_list_open_idx
    ON rm_household_list (household_id) WHERE known_to IS NULL;
-- As known now, a date is covered either by a household's open segment or by a segment that
-- ends after it: one partial index each.
CREATE INDEX IF NOT EXISTS rm_household_list_open_segment_idx
    ON rm_household_list (code, valid_from, unit_code, unit_named_on, status)
    WHERE known_to IS NULL AND valid_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_list_ended_segment_idx
    ON rm_household_list (valid_to, valid_from)
    WHERE known_to IS NULL AND valid_to IS NOT NULL;
-- Lists filtered by unit or by status read only the matching open segments.
CREATE INDEX IF NOT EXISTS rm_household_list_open_unit_idx
    ON rm_household_list (unit_code, unit_named_on, status, valid_from, code)
    WHERE known_to IS NULL AND valid_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_list_open_status_idx
    ON rm_household_list (status, code, valid_from, unit_code, unit_named_on)
    WHERE known_to IS NULL AND valid_to IS NULL;
-- A unit's households as known at any moment (the audit diff), and filtered lists.
CREATE INDEX IF NOT EXISTS rm_household_list_unit_idx
    ON rm_household_list (unit_code, unit_named_on);
CREATE INDEX IF NOT EXISTS rm_household_list_known_idx
    ON rm_household_list (known_from, code);

-- The recording moment of every version of each household: `version` moments, 16 hex digits
-- each (microseconds since 1970-01-01 UTC), in version order.
CREATE TABLE IF NOT EXISTS rm_household_versions (
    household_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    recorded TEXT NOT NULL,
    first_notification INTEGER NOT NULL  -- the registration's place in the log
);

-- The audit diff finds the households whose answer changed between two moments from the
-- knowledge intervals of the status periods.
CREATE INDEX IF NOT EXISTS rm_status_periods_known_from_idx ON rm_status_periods (known_from);
CREATE INDEX IF NOT EXISTS rm_status_periods_known_to_idx ON rm_status_periods (known_to);

-- A store upgraded to this version has read models without the new tables' rows: start the
-- projection again from the beginning of the log (derived data, rebuilt from the events).
DELETE FROM rm_status_periods;
DELETE FROM rm_household_attributes;
UPDATE rm_tracking SET notification_id = 0;

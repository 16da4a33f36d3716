-- The household list read model (issue 10), derived from the event log by the same exactly-once
-- projection as 0004's tables (infrastructure/projections.py); like them it may be emptied and
-- rebuilt at any time. Valid time: valid_from .. valid_to (dates, valid_to exclusive, NULL =
-- open); knowledge time: known_from .. known_to (NULL = still the answer).

-- What the household list shows and filters on, per valid-time segment, as known over time.
-- search_key: code, head's name and village without diacritics, in lower case (domain/search.py).
CREATE TABLE IF NOT EXISTS rm_household_list (
    id bigserial PRIMARY KEY,
    household_id uuid NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    known_from timestamptz NOT NULL,
    known_to timestamptz,
    code text NOT NULL,
    head_name text NOT NULL,
    search_key text NOT NULL,
    unit_code text NOT NULL,
    unit_named_on date NOT NULL,
    village text,
    status text NOT NULL,
    recognised boolean NOT NULL,
    since date,
    ethnic_minority boolean NOT NULL,
    closed boolean NOT NULL,
    notification_id bigint NOT NULL
) WITH (
    -- Pages are read from the indexes alone while the visibility map is fresh: vacuum often.
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);
CREATE INDEX IF NOT EXISTS rm_household_list_open_idx
    ON rm_household_list (household_id) WHERE known_to IS NULL;
-- As known now, a date is covered either by a household's open segment (valid to the end; on a
-- recent date, almost every household's) or by a segment that ends after it: one partial index
-- each, in code order for pages, covering the filtered columns so that counts skip the table.
CREATE INDEX IF NOT EXISTS rm_household_list_open_segment_idx
    ON rm_household_list (code)
    INCLUDE (valid_from, unit_code, unit_named_on, status, search_key)
    WHERE known_to IS NULL AND valid_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_list_ended_segment_idx
    ON rm_household_list (valid_to)
    INCLUDE (valid_from, code, unit_code, unit_named_on, status)
    WHERE known_to IS NULL AND valid_to IS NOT NULL;
-- Lists filtered by unit or by status read only the matching open segments.
CREATE INDEX IF NOT EXISTS rm_household_list_open_unit_idx
    ON rm_household_list (unit_code, unit_named_on, status)
    INCLUDE (valid_from, code, id)
    WHERE known_to IS NULL AND valid_to IS NULL;
CREATE INDEX IF NOT EXISTS rm_household_list_open_status_idx
    ON rm_household_list (status, code)
    INCLUDE (valid_from, unit_code, unit_named_on, id)
    WHERE known_to IS NULL AND valid_to IS NULL;
-- A unit's households as known at any moment (the audit diff), and filtered lists.
CREATE INDEX IF NOT EXISTS rm_household_list_unit_idx
    ON rm_household_list (unit_code, unit_named_on);
-- As known at a past moment (auditors): rows whose knowledge began by then.
CREATE INDEX IF NOT EXISTS rm_household_list_known_idx
    ON rm_household_list (known_from, code);

-- The recording moment of every version of each household, so that the list answers the
-- household's version as known at any moment: `version` moments, VERSION_WIDTH (16) hex digits
-- each (microseconds since 1970-01-01 UTC), in version order.
CREATE TABLE IF NOT EXISTS rm_household_versions (
    household_id uuid PRIMARY KEY,
    version integer NOT NULL,
    recorded text NOT NULL,
    first_notification bigint NOT NULL  -- the registration's place in the log
);

-- The audit diff finds the households whose answer changed between two moments from the
-- knowledge intervals of the status periods.
CREATE INDEX IF NOT EXISTS rm_status_periods_known_from_idx ON rm_status_periods (known_from);
CREATE INDEX IF NOT EXISTS rm_status_periods_known_to_idx ON rm_status_periods (known_to);

-- A store upgraded to this version has read models without the new tables' rows: start the
-- projection again from the beginning of the log (derived data, rebuilt from the events).
TRUNCATE rm_status_periods, rm_household_attributes RESTART IDENTITY;
UPDATE rm_tracking SET notification_id = 0;

-- The event store of the "Households" application and the per-household hash chain.
-- The search_path is set to the target schema by the migrations runner.
CREATE TABLE IF NOT EXISTS households_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);
CREATE UNIQUE INDEX IF NOT EXISTS households_events_notification_id_idx
    ON households_events (notification_id ASC);

DO $$ BEGIN
    CREATE TYPE stored_event_uuid AS (
        originator_id uuid, originator_version bigint, topic text, state bytea);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS event_hashes (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (originator_id, originator_version)
);

-- Append-only, even against a mistaken script: no UPDATE, DELETE or TRUNCATE.
CREATE OR REPLACE FUNCTION chungtay_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chungtay: % on % is refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER households_events_append_only
    BEFORE UPDATE OR DELETE ON households_events
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER households_events_no_truncate
    BEFORE TRUNCATE ON households_events
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER event_hashes_append_only
    BEFORE UPDATE OR DELETE ON event_hashes
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER event_hashes_no_truncate
    BEFORE TRUNCATE ON event_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();

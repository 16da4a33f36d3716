-- Inspection plans (issue 6): a reproducible, risk-weighted sample of households per unit and
-- year, recorded once and never changed. The search_path is set to the target schema by the
-- migrations runner; chungtay_refuse_change() comes from 0001_event_store.sql.
CREATE TABLE IF NOT EXISTS inspection_plans (
    plan_id text PRIMARY KEY,
    unit text NOT NULL,
    year integer NOT NULL,
    size integer NOT NULL CHECK (size > 0),
    seed bigint NOT NULL CHECK (seed >= 0),
    as_of date NOT NULL,
    drawn_at timestamptz NOT NULL,
    drawn_by text NOT NULL,
    population integer NOT NULL CHECK (population >= 0),
    body jsonb NOT NULL,
    seq bigserial NOT NULL  -- recording order
);
CREATE INDEX IF NOT EXISTS inspection_plans_unit_year_idx ON inspection_plans (unit, year);

-- The drawn households, in drawing order.
CREATE TABLE IF NOT EXISTS inspection_plan_households (
    plan_id text NOT NULL REFERENCES inspection_plans (plan_id),
    position integer NOT NULL CHECK (position > 0),
    household_id uuid NOT NULL,
    code text,
    commune text NOT NULL,
    weight double precision NOT NULL CHECK (weight > 0),
    score double precision,
    anomalies jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (plan_id, position),
    UNIQUE (plan_id, household_id)
);
CREATE INDEX IF NOT EXISTS inspection_plan_households_household_idx
    ON inspection_plan_households (household_id);

-- Append-only: no UPDATE, DELETE or TRUNCATE.
CREATE TRIGGER inspection_plans_append_only
    BEFORE UPDATE OR DELETE ON inspection_plans
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER inspection_plans_no_truncate
    BEFORE TRUNCATE ON inspection_plans
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER inspection_plan_households_append_only
    BEFORE UPDATE OR DELETE ON inspection_plan_households
    FOR EACH ROW EXECUTE FUNCTION chungtay_refuse_change();
CREATE TRIGGER inspection_plan_households_no_truncate
    BEFORE TRUNCATE ON inspection_plan_households
    FOR EACH STATEMENT EXECUTE FUNCTION chungtay_refuse_change();

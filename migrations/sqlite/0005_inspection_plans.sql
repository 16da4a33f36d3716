-- Inspection plans (issue 6): a reproducible, risk-weighted sample of households per unit and
-- year, recorded once and never changed.
CREATE TABLE IF NOT EXISTS inspection_plans (
    plan_id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    year INTEGER NOT NULL,
    size INTEGER NOT NULL CHECK (size > 0),
    seed INTEGER NOT NULL CHECK (seed >= 0),
    as_of TEXT NOT NULL,
    drawn_at TEXT NOT NULL,
    drawn_by TEXT NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inspection_plans_unit_year_idx ON inspection_plans (unit, year);

-- The drawn households, in drawing order.
CREATE TABLE IF NOT EXISTS inspection_plan_households (
    plan_id TEXT NOT NULL REFERENCES inspection_plans (plan_id),
    position INTEGER NOT NULL CHECK (position > 0),
    household_id TEXT NOT NULL,
    code TEXT,
    commune TEXT NOT NULL,
    weight REAL NOT NULL CHECK (weight > 0),
    score REAL,
    anomalies TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (plan_id, position),
    UNIQUE (plan_id, household_id)
);
CREATE INDEX IF NOT EXISTS inspection_plan_households_household_idx
    ON inspection_plan_households (household_id);

-- Append-only: no UPDATE or DELETE (SQLite has no TRUNCATE; DELETE without WHERE fires these).
CREATE TRIGGER IF NOT EXISTS inspection_plans_no_update BEFORE UPDATE ON inspection_plans
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on inspection_plans is refused: plans are append-only'); END;
CREATE TRIGGER IF NOT EXISTS inspection_plans_no_delete BEFORE DELETE ON inspection_plans
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on inspection_plans is refused: plans are append-only'); END;
CREATE TRIGGER IF NOT EXISTS inspection_plan_households_no_update BEFORE UPDATE ON inspection_plan_households
BEGIN SELECT RAISE(ABORT, 'chungtay: UPDATE on inspection_plan_households is refused: plans are append-only'); END;
CREATE TRIGGER IF NOT EXISTS inspection_plan_households_no_delete BEFORE DELETE ON inspection_plan_households
BEGIN SELECT RAISE(ABORT, 'chungtay: DELETE on inspection_plan_households is refused: plans are append-only'); END;

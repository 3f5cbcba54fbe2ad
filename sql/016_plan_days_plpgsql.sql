-- 016_plan_days_plpgsql: the plan version's bump (013) in PL/pgSQL.
--
-- A LANGUAGE sql function called from a trigger is parsed and planned anew
-- on every call; a PL/pgSQL function plans its statement once per session.
-- The bump runs in every write to a day's plan, under the day's planning
-- lock, where it cost about 0.2 ms a call as SQL.

CREATE OR REPLACE FUNCTION plan_days_touch(d date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plan_days (service_date, version) VALUES (d, txid_current())
    ON CONFLICT (service_date) DO UPDATE SET version = EXCLUDED.version
    WHERE plan_days.version <> EXCLUDED.version;
END
$$;
COMMENT ON FUNCTION plan_days_touch(date) IS 'Sets a service day''s plan version to the current transaction id (called by the plan_days triggers).';

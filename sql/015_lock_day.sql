-- 015_lock_day: a service day's planning lock, in one place, and taken in
-- the same round trip as what the planner reads next.
--
-- Every change to a day's plan (live insertion, replanning, cancellations,
-- driver events, overrides) holds this transaction-scoped advisory lock.
-- ritmo_lock_day() returns the day's plan version as it is once the lock is
-- held: a PL/pgSQL function runs each statement with a new snapshot (READ
-- COMMITTED), so the version is read after the lock is granted, which one
-- plain statement calling pg_advisory_xact_lock could not do. Live
-- insertion calls it in the statement that reads the new ride, saving a
-- round trip while other bookings for the day wait.

CREATE FUNCTION ritmo_lock_day(day text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('ritmo.day.' || day, 0));
    RETURN coalesce((SELECT version FROM plan_days WHERE service_date = day::date), 0);
END
$$;
COMMENT ON FUNCTION ritmo_lock_day(text) IS 'Takes the planning lock of a service day (YYYY-MM-DD) for the rest of the transaction and returns the day''s plan version read after the lock was granted.';

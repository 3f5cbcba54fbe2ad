-- 013_plan_days: a version per service day of everything the planner reads
-- (runs, their vehicles, stops and the rides on them), so that a server can
-- keep a day in memory between live insertions and reload it only when
-- something changed. Triggers keep it, so no write path can forget to.
--
-- The version is the id of the last transaction that changed the day
-- (txid_current()): unique per transaction, so a change that was rolled
-- back can never be mistaken for one that committed later.

CREATE TABLE plan_days (
    service_date date PRIMARY KEY,
    version      bigint NOT NULL
);
COMMENT ON TABLE plan_days IS 'Version of each service day''s plan: the id of the last transaction that changed its runs, stops or the rides on them. Kept by triggers; read by live insertion to reuse a day it holds in memory.';

CREATE FUNCTION plan_days_touch(d date) RETURNS void LANGUAGE sql AS $$
    INSERT INTO plan_days (service_date, version) VALUES (d, txid_current())
    ON CONFLICT (service_date) DO UPDATE SET version = EXCLUDED.version
    WHERE plan_days.version <> EXCLUDED.version
$$;

-- Stops: once per statement (a route is rewritten in a few statements).
CREATE FUNCTION plan_days_touch_stops() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plan_days_touch(d.service_date)
    FROM (SELECT DISTINCT r.service_date FROM changed c JOIN runs r ON r.id = c.run_id) d;
    RETURN NULL;
END
$$;
CREATE TRIGGER stops_plan_insert AFTER INSERT ON stops REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION plan_days_touch_stops();
CREATE TRIGGER stops_plan_update AFTER UPDATE ON stops REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION plan_days_touch_stops();
CREATE TRIGGER stops_plan_delete AFTER DELETE ON stops REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION plan_days_touch_stops();

CREATE FUNCTION plan_days_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM plan_days_touch(OLD.service_date);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM plan_days_touch(NEW.service_date);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER runs_plan AFTER INSERT OR UPDATE OR DELETE ON runs
    FOR EACH ROW EXECUTE FUNCTION plan_days_touch_row();
-- A ride's status and everything its stops are planned from.
CREATE TRIGGER bookings_plan AFTER UPDATE ON bookings FOR EACH ROW
    WHEN ((OLD.status, OLD.service_date, OLD.pickup_lat, OLD.pickup_lon, OLD.dropoff_lat,
           OLD.dropoff_lon, OLD.window_earliest, OLD.window_latest, OLD.time_kind, OLD.direct_s,
           OLD.aid, OLD.companions)
          IS DISTINCT FROM
          (NEW.status, NEW.service_date, NEW.pickup_lat, NEW.pickup_lon, NEW.dropoff_lat,
           NEW.dropoff_lon, NEW.window_earliest, NEW.window_latest, NEW.time_kind, NEW.direct_s,
           NEW.aid, NEW.companions))
    EXECUTE FUNCTION plan_days_touch_row();

CREATE FUNCTION plan_days_touch_vehicle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plan_days_touch(d.service_date)
    FROM (SELECT DISTINCT service_date FROM runs WHERE vehicle_id = NEW.id) d;
    RETURN NULL;
END
$$;
CREATE TRIGGER vehicles_plan AFTER UPDATE ON vehicles FOR EACH ROW
    EXECUTE FUNCTION plan_days_touch_vehicle();

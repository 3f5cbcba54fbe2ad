-- 014_arrival_notices: "your vehicle is about to arrive" sent once per ride.
-- A table of its own rather than a column of stops, so that sending a
-- notice does not count as a change of the day's plan (plan_days).

CREATE TABLE arrival_notices (
    booking_id bigint PRIMARY KEY REFERENCES bookings (id),
    eta        timestamptz NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE arrival_notices IS 'One row per ride whose passenger was told the vehicle is about to arrive (ride.vehicle_near): the ETA told and when. Its primary key makes the notice exactly-once across server processes.';

-- The sweep's search: pickups not yet served, by planned time.
CREATE INDEX stops_pickup_waiting ON stops (planned_at) WHERE kind = 'pickup' AND actual_at IS NULL;

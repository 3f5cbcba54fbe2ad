-- 008_stop_actuals: when a stop was really served, as drivers report it.
-- The rest of the run's planned times (the ETAs) are computed from it.

ALTER TABLE stops ADD COLUMN actual_at timestamptz;
COMMENT ON COLUMN stops.actual_at IS 'When the driver reported the stop served (picked up or dropped off); later stops of the run are re-timed from it.';

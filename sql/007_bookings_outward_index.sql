-- 007_bookings_outward_index: every read of a booking looks up its return
-- ride (bookings.outward_id = id); without an index that is a scan of all
-- bookings per row read (measured: most of the booking benchmark's time).

CREATE INDEX bookings_outward ON bookings (outward_id) WHERE outward_id IS NOT NULL;
COMMENT ON INDEX bookings_outward IS 'The return ride of a booking (booking_store: return_id).';

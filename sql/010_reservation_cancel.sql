-- 010_reservation_cancel: a pool reservation can be cancelled (by the desk,
-- or because the client died). A cancelled reservation stays as history
-- but no longer holds the item: the exclusion constraint now covers only
-- the allocations that are not cancelled.

ALTER TABLE aid_allocations ADD COLUMN cancelled_at timestamptz;
ALTER TABLE aid_allocations ADD CHECK (cancelled_at IS NULL OR kind = 'reservation');
ALTER TABLE aid_allocations DROP CONSTRAINT aid_allocations_no_overlap;
ALTER TABLE aid_allocations ADD CONSTRAINT aid_allocations_no_overlap
    EXCLUDE USING gist (aid_id WITH =, period WITH &&) WHERE (cancelled_at IS NULL);
COMMENT ON COLUMN aid_allocations.cancelled_at IS 'When a reservation was cancelled; it then no longer holds the item.';

ALTER TABLE aid_events DROP CONSTRAINT aid_events_type_check;
ALTER TABLE aid_events ADD CONSTRAINT aid_events_type_check CHECK (type IN ('purchased', 'lent', 'returned', 'reserved', 'unreserved', 'maintenance', 'repair', 'delivered'));

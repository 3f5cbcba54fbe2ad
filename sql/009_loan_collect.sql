-- 009_loan_collect: loans to be collected after the client died
-- (journey 5): the desk ends the indication with reason 'deceased' and the
-- open loans are marked, so the supplier knows what to fetch.

ALTER TABLE aid_allocations ADD COLUMN collect_from date;
ALTER TABLE aid_allocations ADD CHECK (collect_from IS NULL OR kind = 'loan');
COMMENT ON COLUMN aid_allocations.collect_from IS 'Set on an open loan when the client died: the date from which the item is to be collected. The loan stays open until the item is returned.';
CREATE INDEX aid_allocations_to_collect ON aid_allocations (collect_from) WHERE collect_from IS NOT NULL AND returned_at IS NULL;

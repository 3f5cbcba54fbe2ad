-- 012_pseudonymise: clients whose indications ended longer ago than the
-- retention period are pseudonymised by `ritmo pseudonymise` (AVG/GDPR
-- storage limitation, art. 5 lid 1 e): what identifies the person is
-- removed, the numbers (km, rides, costs, SLA) stay, so reports still add up.

ALTER TABLE clients ADD COLUMN pseudonymised_at timestamptz;
COMMENT ON COLUMN clients.pseudonymised_at IS 'When the client''s identifying data was removed (ritmo pseudonymise); NULL while it is held.';

-- The append-only history tables let exactly one kind of update through:
-- blanking their free-text column (the trigger's argument), by the
-- pseudonymisation, which sets ritmo.pseudonymise for its transaction.
-- Every other update or delete is refused as before.
CREATE FUNCTION append_only_but_blanking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('ritmo.pseudonymise', true) = 'on'
       AND to_jsonb(NEW) - TG_ARGV[0] = to_jsonb(OLD) - TG_ARGV[0] THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

DROP TRIGGER aid_events_append_only ON aid_events;
DROP FUNCTION aid_events_append_only();
CREATE TRIGGER aid_events_append_only BEFORE UPDATE OR DELETE ON aid_events
    FOR EACH ROW EXECUTE FUNCTION append_only_but_blanking('notes');

DROP TRIGGER allowance_entries_append_only ON allowance_entries;
DROP FUNCTION allowance_entries_append_only();
CREATE TRIGGER allowance_entries_append_only BEFORE UPDATE OR DELETE ON allowance_entries
    FOR EACH ROW EXECUTE FUNCTION append_only_but_blanking('reason');

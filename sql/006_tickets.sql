-- 006_tickets: breakdown and defect tickets of aids under the supplier's
-- SLA. A ticket keeps the SLA terms it was opened under.

CREATE TABLE tickets (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aid_id              bigint NOT NULL REFERENCES aids (id),
    supplier_id         bigint NOT NULL REFERENCES suppliers (id),
    client_id           bigint REFERENCES clients (id),
    kind                text NOT NULL CHECK (kind IN ('breakdown', 'defect')),
    description         text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    reported_via        text NOT NULL CHECK (reported_via IN ('phone', 'app', 'supplier')),
    reported_at         timestamptz NOT NULL,
    opened_by           bigint REFERENCES api_tokens (id),
    response_minutes    integer NOT NULL CHECK (response_minutes >= 0),
    response_clock      text NOT NULL CHECK (response_clock IN ('24x7', 'business')),
    repair_working_days integer NOT NULL CHECK (repair_working_days >= 0),
    state               text NOT NULL DEFAULT 'open'
                        CHECK (state IN ('open', 'acknowledged', 'on_site', 'waiting_client', 'resolved')),
    response_due        timestamptz NOT NULL,
    resolve_due         timestamptz,
    responded_at        timestamptz,
    resolved_at         timestamptz,
    paused_seconds      bigint NOT NULL DEFAULT 0,
    response_breached   boolean NOT NULL DEFAULT false,
    resolve_breached    boolean NOT NULL DEFAULT false,
    repair_cost_cents   bigint NOT NULL DEFAULT 0 CHECK (repair_cost_cents >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tickets IS
    'Breakdown (the resident is stranded) and defect tickets. response_minutes, response_clock and repair_working_days are the supplier''s SLA when the ticket was opened: a later policy change applies to new tickets only. resolve_due is NULL while the repair clock is paused (waiting for the client); due times are recomputed from the whole event history after every event.';
CREATE INDEX tickets_supplier ON tickets (supplier_id, reported_at);
CREATE INDEX tickets_response_watch ON tickets (response_due) WHERE responded_at IS NULL AND NOT response_breached;
CREATE INDEX tickets_resolve_watch ON tickets (resolve_due) WHERE resolved_at IS NULL AND NOT resolve_breached AND resolve_due IS NOT NULL;
COMMENT ON INDEX tickets_response_watch IS 'What the SLA sweep looks at: open response clocks.';

CREATE TABLE ticket_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    type       text NOT NULL CHECK (type IN ('acknowledged', 'on_site', 'waiting_client', 'resumed', 'resolved', 'reopened')),
    at         timestamptz NOT NULL,
    notes      text CHECK (length(notes) <= 2000),
    parts      text CHECK (length(parts) <= 2000),
    cost_cents bigint NOT NULL DEFAULT 0 CHECK (cost_cents BETWEEN 0 AND 100000000),
    actor      bigint REFERENCES api_tokens (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ticket_events IS 'What the supplier and the desk reported on a ticket, in order; repair costs add to the aid''s cost to date.';
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

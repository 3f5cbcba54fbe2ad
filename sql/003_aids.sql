-- 003_aids: assistive aids — suppliers and their SLA, aid models, items,
-- pools, loans and reservations (one table, no overlaps), item history,
-- maintenance and deliveries.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE suppliers (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email                      text CHECK (length(email) <= 254),
    webhook_url                text CHECK (length(webhook_url) <= 2000),
    delivery_working_days      integer NOT NULL CHECK (delivery_working_days BETWEEN 0 AND 365),
    breakdown_response_minutes integer NOT NULL CHECK (breakdown_response_minutes BETWEEN 0 AND 525600),
    breakdown_clock            text NOT NULL CHECK (breakdown_clock IN ('24x7', 'business')),
    repair_working_days        integer NOT NULL CHECK (repair_working_days BETWEEN 0 AND 365),
    maintenance_grace_days     integer NOT NULL CHECK (maintenance_grace_days BETWEEN 0 AND 365),
    created_at                 timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE suppliers IS
    'Contracted aids suppliers (leveranciers) and the terms of their SLA: delivery term, breakdown response and repair, grace days for maintenance.';

ALTER TABLE api_tokens ADD FOREIGN KEY (supplier_id) REFERENCES suppliers (id);

CREATE TABLE aid_models (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type                text NOT NULL CHECK (type IN ('wheelchair_manual', 'wheelchair_electric', 'scootmobiel', 'walker', 'tricycle', 'other')),
    brand               text NOT NULL CHECK (length(brand) BETWEEN 1 AND 200),
    model               text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    supplier_id         bigint NOT NULL REFERENCES suppliers (id),
    depreciation_months integer NOT NULL CHECK (depreciation_months BETWEEN 1 AND 1200),
    residual_pct_bp     integer NOT NULL CHECK (residual_pct_bp BETWEEN 0 AND 10000),
    maintenance_rule    text NOT NULL CHECK (length(maintenance_rule) BETWEEN 1 AND 500),
    maintenance_anchor  text NOT NULL CHECK (maintenance_anchor IN ('fixed', 'completion')),
    list_price_cents    bigint NOT NULL CHECK (list_price_cents BETWEEN 0 AND 1000000000),
    created_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE aid_models IS
    'Aid models: depreciation period, residual value in hundredths of a percent of the purchase price, and the maintenance RRULE (validated with libical before it is stored). Never changed after creation, so items keep their figures.';
CREATE INDEX aid_models_supplier ON aid_models (supplier_id);

CREATE TABLE pools (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address    text NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    lat        double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon        double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pools IS 'Shared pools of aids at an address, e.g. the scootmobiel pool of a care home.';

CREATE TABLE aids (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id             bigint NOT NULL REFERENCES aid_models (id),
    serial               text NOT NULL CHECK (length(serial) BETWEEN 1 AND 100),
    purchase_date        date NOT NULL,
    purchase_price_cents bigint NOT NULL CHECK (purchase_price_cents BETWEEN 0 AND 1000000000),
    residual_cents       bigint NOT NULL CHECK (residual_cents BETWEEN 0 AND purchase_price_cents),
    status               text NOT NULL CHECK (status IN ('depot', 'lent', 'pool', 'in_repair', 'written_off')),
    pool_id              bigint REFERENCES pools (id),
    client_id            bigint REFERENCES clients (id),
    loan_id              bigint,
    anchor_date          date NOT NULL,
    last_maintenance_on  date,
    next_maintenance_on  date,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_id, serial),
    CHECK ((status = 'pool') = (pool_id IS NOT NULL)),
    CHECK ((status = 'lent') = (client_id IS NOT NULL)),
    CHECK ((status = 'lent') = (loan_id IS NOT NULL))
);
COMMENT ON TABLE aids IS
    'Aid items. residual_cents is fixed at purchase from the model. anchor_date is the purchase or last re-issue date the maintenance schedule counts from; next_maintenance_on is computed in C (inventory/maintenance.c) whenever it can change, so due lists are an index range scan. NULL when the schedule has ended or the item is written off.';
CREATE INDEX aids_model ON aids (model_id);
CREATE INDEX aids_pool ON aids (pool_id) WHERE pool_id IS NOT NULL;
CREATE INDEX aids_client ON aids (client_id) WHERE client_id IS NOT NULL;
CREATE INDEX aids_next_maintenance ON aids (next_maintenance_on, id) WHERE next_maintenance_on IS NOT NULL;
COMMENT ON INDEX aids_next_maintenance IS 'GET /v1/maintenance/due and the suppliers'' maintenance.ics.';

CREATE TABLE aid_allocations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aid_id           bigint NOT NULL REFERENCES aids (id),
    client_id        bigint NOT NULL REFERENCES clients (id),
    kind             text NOT NULL CHECK (kind IN ('loan', 'reservation')),
    period           tstzrange NOT NULL CHECK (NOT isempty(period) AND lower(period) IS NOT NULL),
    received_on      date NOT NULL,
    exception        text CHECK (exception IN ('lost_not_own_fault', 'client_pays', 'insufficient_support')),
    exception_reason text CHECK (length(exception_reason) BETWEEN 1 AND 1000),
    returned_at      timestamptz,
    return_condition text CHECK (return_condition IN ('good', 'needs_repair', 'written_off')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       bigint REFERENCES api_tokens (id),
    CHECK ((exception IS NULL) = (exception_reason IS NULL)),
    CHECK ((returned_at IS NULL) = (return_condition IS NULL)),
    CHECK (kind = 'loan' OR (upper(period) IS NOT NULL AND returned_at IS NULL)),
    CONSTRAINT aid_allocations_no_overlap EXCLUDE USING gist (aid_id WITH =, period WITH &&)
);
COMMENT ON TABLE aid_allocations IS
    'Loans (bruikleen; open-ended until returned) and pool reservations of items. The exclusion constraint makes overlapping periods of one item impossible under any concurrency, across server processes. received_on is the local date the client received the aid (art. 3.2 lid 2 h counts from it).';
CREATE INDEX aid_allocations_client ON aid_allocations (client_id, kind);

ALTER TABLE aids ADD FOREIGN KEY (loan_id) REFERENCES aid_allocations (id);

CREATE TABLE aid_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aid_id     bigint NOT NULL REFERENCES aids (id),
    type       text NOT NULL CHECK (type IN ('purchased', 'lent', 'returned', 'reserved', 'maintenance', 'repair', 'delivered')),
    at         timestamptz NOT NULL,
    detail     text CHECK (length(detail) <= 100),
    notes      text CHECK (length(notes) <= 2000),
    cost_cents bigint NOT NULL DEFAULT 0 CHECK (cost_cents BETWEEN 0 AND 1000000000),
    client_id  bigint REFERENCES clients (id),
    allocation_id bigint REFERENCES aid_allocations (id),
    actor      bigint REFERENCES api_tokens (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE aid_events IS
    'Append-only history of an item. detail: the maintenance kind (inspection, service) or the return condition. cost_cents of maintenance and repair events adds to the cost price (art. 5.2).';
CREATE INDEX aid_events_aid ON aid_events (aid_id, at, id);

CREATE FUNCTION aid_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'aid events are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER aid_events_append_only BEFORE UPDATE OR DELETE ON aid_events
    FOR EACH ROW EXECUTE FUNCTION aid_events_append_only();

CREATE TABLE deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint NOT NULL REFERENCES clients (id),
    model_id         bigint NOT NULL REFERENCES aid_models (id),
    supplier_id      bigint NOT NULL REFERENCES suppliers (id),
    ordered_at       timestamptz NOT NULL,
    term_working_days integer NOT NULL CHECK (term_working_days >= 0),
    exception        text CHECK (exception IN ('lost_not_own_fault', 'client_pays', 'insufficient_support')),
    exception_reason text CHECK (length(exception_reason) BETWEEN 1 AND 1000),
    delivered_at     timestamptz CHECK (delivered_at >= ordered_at),
    aid_id           bigint REFERENCES aids (id),
    loan_id          bigint REFERENCES aid_allocations (id),
    working_days     integer CHECK (working_days >= 0),
    within_term      boolean,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       bigint REFERENCES api_tokens (id),
    CHECK ((exception IS NULL) = (exception_reason IS NULL)),
    CHECK ((delivered_at IS NULL) = (aid_id IS NULL)),
    CHECK ((delivered_at IS NULL) = (working_days IS NULL)),
    CHECK ((delivered_at IS NULL) = (within_term IS NULL))
);
COMMENT ON TABLE deliveries IS
    'Orders of an aid model for a client and their delivery. term_working_days is the supplier''s SLA term at order time; working_days counts working days (business calendar) after the order date up to and including the delivery date.';
CREATE INDEX deliveries_supplier ON deliveries (supplier_id, id);

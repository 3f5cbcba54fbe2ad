-- 002_transport: clients, transport indications, the km allowance ledger,
-- ride bookings and their series, and idempotency keys of creating POSTs.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE clients (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pass_number        text NOT NULL UNIQUE CHECK (length(pass_number) BETWEEN 1 AND 32),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone              text CHECK (length(phone) <= 40),
    email              text CHECK (length(email) <= 254),
    home_address       text NOT NULL CHECK (length(home_address) BETWEEN 1 AND 300),
    home_lat           double precision NOT NULL CHECK (home_lat BETWEEN -90 AND 90),
    home_lon           double precision NOT NULL CHECK (home_lon BETWEEN -180 AND 180),
    needs_wheelchair   boolean NOT NULL DEFAULT false,
    needs_scootmobiel  boolean NOT NULL DEFAULT false,
    needs_walker       boolean NOT NULL DEFAULT false,
    companion_required boolean NOT NULL DEFAULT false,
    deceased_on        date,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE clients IS 'Residents with a Wmo provision (clienten).';
CREATE INDEX clients_name_trgm ON clients USING gin (name gin_trgm_ops);
COMMENT ON INDEX clients_name_trgm IS 'Search by part of a name (GET /v1/clients?q=).';

ALTER TABLE api_tokens ADD FOREIGN KEY (client_id) REFERENCES clients (id);

CREATE TABLE indications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES clients (id),
    kind        text NOT NULL CHECK (kind = 'transport'),
    valid_from  date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until >= valid_from),
    annual_km   integer NOT NULL CHECK (annual_km BETWEEN 0 AND 2000),
    ended_on    date,
    end_reason  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES api_tokens (id),
    CHECK ((ended_on IS NULL) = (end_reason IS NULL))
);
COMMENT ON TABLE indications IS
    'Transport indications (beschikkingen): valid_from..valid_until inclusive; an ended one is valid until the day before ended_on.';
CREATE INDEX indications_client ON indications (client_id);

CREATE TABLE indication_suspensions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indication_id bigint NOT NULL REFERENCES indications (id),
    from_date     date NOT NULL,
    until_date    date NOT NULL CHECK (until_date >= from_date),
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    bigint REFERENCES api_tokens (id)
);
COMMENT ON TABLE indication_suspensions IS
    'Periods (inclusive) in which an indication does not allow rides, e.g. a hospital stay (art. 6.1 lid 1 b).';
CREATE INDEX indication_suspensions_indication ON indication_suspensions (indication_id);

CREATE TABLE allowance_accounts (
    client_id   bigint NOT NULL REFERENCES clients (id),
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    base_m      bigint NOT NULL CHECK (base_m >= 0),
    adjusted_m  bigint NOT NULL DEFAULT 0,
    reserved_m  bigint NOT NULL DEFAULT 0 CHECK (reserved_m >= 0),
    used_m      bigint NOT NULL DEFAULT 0 CHECK (used_m >= 0),
    PRIMARY KEY (client_id, year),
    CONSTRAINT allowance_not_overspent CHECK (reserved_m + used_m <= base_m + adjusted_m)
);
COMMENT ON TABLE allowance_accounts IS
    'The km allowance of a client in a calendar year (service time zone), in metres: granted = base_m (pro rata from indications) + adjusted_m. Every booking updates this row, so the CHECK makes overspending impossible under any concurrency.';

CREATE TABLE series (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES clients (id),
    rrule       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    cancelled_from timestamptz
);
COMMENT ON TABLE series IS 'Recurring rides (vaste ritten); each occurrence is a booking of its own.';

CREATE TABLE bookings (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id),
    series_id         bigint REFERENCES series (id),
    outward_id        bigint REFERENCES bookings (id),
    status            text NOT NULL CHECK (status IN ('requested', 'scheduled', 'picked_up', 'completed', 'cancelled', 'no_show')),
    pickup_address    text NOT NULL,
    pickup_lat        double precision NOT NULL,
    pickup_lon        double precision NOT NULL,
    dropoff_address   text NOT NULL,
    dropoff_lat       double precision NOT NULL,
    dropoff_lon       double precision NOT NULL,
    time_kind         text NOT NULL CHECK (time_kind IN ('pickup_at', 'arrive_by')),
    requested_time    timestamptz NOT NULL,
    pickup_estimate   timestamptz NOT NULL,
    window_earliest   timestamptz NOT NULL,
    window_latest     timestamptz NOT NULL CHECK (window_latest >= window_earliest),
    service_date      date NOT NULL,
    allowance_year    integer NOT NULL,
    distance_m        integer NOT NULL CHECK (distance_m >= 0),
    direct_s          integer NOT NULL CHECK (direct_s >= 0),
    distance_provider text NOT NULL,
    reserved_m        integer NOT NULL DEFAULT 0 CHECK (reserved_m >= 0),
    debited_m         integer NOT NULL DEFAULT 0 CHECK (debited_m >= 0),
    companions        integer NOT NULL DEFAULT 0 CHECK (companions BETWEEN 0 AND 8),
    aid               text NOT NULL CHECK (aid IN ('none', 'wheelchair', 'scootmobiel', 'walker')),
    channel           text NOT NULL CHECK (channel IN ('app', 'phone', 'web')),
    notes             text CHECK (length(notes) <= 1000),
    booked_by         bigint REFERENCES api_tokens (id),
    booked_by_role    text NOT NULL,
    cancel_reason     text,
    sequence          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (client_id, allowance_year) REFERENCES allowance_accounts (client_id, year)
);
COMMENT ON TABLE bookings IS
    'Rides. distance_m and distance_provider are fixed at booking: history never changes when the routing provider does. reserved_m is what the ride holds reserved on its allowance year now.';
CREATE INDEX bookings_client_time ON bookings (client_id, pickup_estimate);
CREATE INDEX bookings_service_date ON bookings (service_date, status);
CREATE INDEX bookings_series ON bookings (series_id) WHERE series_id IS NOT NULL;

CREATE TABLE allowance_entries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL,
    year        integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('reserve', 'release', 'debit', 'adjust')),
    metres      bigint NOT NULL,
    booking_id  bigint REFERENCES bookings (id),
    actor       bigint REFERENCES api_tokens (id),
    reason      text,
    at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (client_id, year) REFERENCES allowance_accounts (client_id, year),
    CHECK (kind = 'adjust' OR metres >= 0),
    CHECK (kind <> 'adjust' OR reason IS NOT NULL)
);
COMMENT ON TABLE allowance_entries IS
    'Append-only ledger: reserved = reserve - release - debit(of reserved), used = debit, adjusted = adjust. Never updated or deleted.';
CREATE INDEX allowance_entries_account ON allowance_entries (client_id, year, id);

CREATE FUNCTION allowance_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'allowance entries are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER allowance_entries_append_only BEFORE UPDATE OR DELETE ON allowance_entries
    FOR EACH ROW EXECUTE FUNCTION allowance_entries_append_only();

CREATE TABLE idempotency_keys (
    token_id     bigint NOT NULL REFERENCES api_tokens (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status       integer,
    response     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);
COMMENT ON TABLE idempotency_keys IS
    'Idempotency-Key of creating POSTs, per token, written in the same transaction as what the request created: a replay returns the stored response.';

CREATE TABLE booking_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id  bigint NOT NULL REFERENCES bookings (id),
    type        text NOT NULL CHECK (type IN ('arrived', 'picked_up', 'dropped_off', 'no_show', 'cancelled')),
    at          timestamptz NOT NULL,
    odometer_km numeric(10, 1),
    actor       bigint REFERENCES api_tokens (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE booking_events IS 'What drivers and the desk reported about a ride, in order.';
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

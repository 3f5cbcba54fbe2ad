-- 005_dispatch: vehicles, runs (a vehicle's shift on a service day) and the
-- planned stops of each run.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE vehicles (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    seats              integer NOT NULL CHECK (seats BETWEEN 0 AND 60),
    wheelchair_places  integer NOT NULL CHECK (wheelchair_places BETWEEN 0 AND 20),
    scootmobiel_places integer NOT NULL CHECK (scootmobiel_places BETWEEN 0 AND 20),
    depot_address      text NOT NULL,
    depot_lat          double precision NOT NULL CHECK (depot_lat BETWEEN -90 AND 90),
    depot_lon          double precision NOT NULL CHECK (depot_lon BETWEEN -180 AND 180),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (seats + wheelchair_places + scootmobiel_places > 0)
);
COMMENT ON TABLE vehicles IS 'Vehicles of the collective transport with their places per kind.';

ALTER TABLE api_tokens ADD FOREIGN KEY (vehicle_id) REFERENCES vehicles (id);

CREATE TABLE runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vehicle_id    bigint NOT NULL REFERENCES vehicles (id),
    service_date  date NOT NULL,
    start_at      timestamptz NOT NULL,
    end_at        timestamptz NOT NULL CHECK (end_at > start_at),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    cancel_reason text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT runs_no_overlap EXCLUDE USING gist (vehicle_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status = 'active')
);
COMMENT ON TABLE runs IS 'A vehicle''s shift on a service day, from and back to its depot; one vehicle never has two overlapping active runs.';
CREATE INDEX runs_day ON runs (service_date) WHERE status = 'active';

CREATE TABLE stops (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id     bigint NOT NULL REFERENCES runs (id),
    booking_id bigint NOT NULL REFERENCES bookings (id),
    kind       text NOT NULL CHECK (kind IN ('pickup', 'dropoff')),
    seq        integer NOT NULL CHECK (seq >= 1),
    planned_at timestamptz NOT NULL,
    locked     boolean NOT NULL DEFAULT false,
    UNIQUE (booking_id, kind),
    UNIQUE (run_id, seq) DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE stops IS 'The planned order of a run: a scheduled booking has its pickup and dropoff here; planned_at is the planned start of service.';
CREATE INDEX stops_run ON stops (run_id, seq);

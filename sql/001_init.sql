-- 001_init: API tokens, the foundation every request is authenticated by.

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role         text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'resident', 'driver', 'supplier')),
    client_id    bigint,
    vehicle_id   bigint,
    supplier_id  bigint,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   bigint REFERENCES api_tokens (id),
    revoked_at   timestamptz,
    -- A token is bound to exactly what its role needs, and nothing else.
    CHECK ((role = 'resident') = (client_id IS NOT NULL)),
    CHECK ((role = 'driver') = (vehicle_id IS NOT NULL)),
    CHECK ((role = 'supplier') = (supplier_id IS NOT NULL))
);

COMMENT ON TABLE api_tokens IS
    'Bearer tokens of the HTTP API. Only the SHA-256 of a token is kept; the token itself is shown once at creation.';
COMMENT ON COLUMN api_tokens.token_hash IS
    'SHA-256 of the token text; looked up by the unique index on every request.';

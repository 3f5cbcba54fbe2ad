-- 011_client_access: the audit trail of who read or changed a client's
-- data (AVG/GDPR accountability, art. 5 lid 2 and 30): the actor, the
-- time, the route and the answer, never the data itself.

CREATE TABLE client_access (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    client_id   bigint NOT NULL REFERENCES clients (id),
    token_id    bigint NOT NULL REFERENCES api_tokens (id),
    method      text NOT NULL CHECK (method IN ('GET', 'POST', 'PATCH', 'PUT', 'DELETE')),
    route       text NOT NULL CHECK (length(route) <= 200),
    status      integer NOT NULL,
    request_id  text NOT NULL CHECK (length(request_id) <= 100)
);
COMMENT ON TABLE client_access IS
    'Who read or changed the data of a client, through which route, when, and the status answered (append-only).';
CREATE INDEX client_access_client ON client_access (client_id, id);

CREATE FUNCTION client_access_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the client access trail is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER client_access_append_only BEFORE UPDATE OR DELETE ON client_access
    FOR EACH ROW EXECUTE FUNCTION client_access_append_only();

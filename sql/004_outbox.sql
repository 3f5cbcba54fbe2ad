-- 004_outbox: the transactional outbox. An event is written in the same
-- transaction as the change it announces; a sender in `ritmo serve`
-- delivers it to its webhook, signed, with retries, and never loses it.

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id     uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    topic           text NOT NULL CHECK (length(topic) BETWEEN 1 AND 100),
    target          text NOT NULL CHECK (target ~ '^https?://'),
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    dead_at         timestamptz,
    last_error      text,
    CHECK (delivered_at IS NULL OR dead_at IS NULL)
);
COMMENT ON TABLE outbox IS
    'Events to deliver to webhooks (notification gateway, suppliers). delivery_id is sent as Idempotency-Key so receivers can drop repeats; a row being delivered has next_attempt_at pushed ahead as a lease, so a crashed sender''s rows are retried by another process.';
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
COMMENT ON INDEX outbox_pending IS 'What the senders poll: undelivered, not dead, due.';

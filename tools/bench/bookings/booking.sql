-- pgbench script of the booking benchmark: the statements ritmo runs for one
-- POST /v1/bookings, in its order and transactions (run with -M prepared).
--
-- Variables from run.sh (-D): token_hash token_id cmin cmax day0 day0_epoch
-- year0 days_left req_hash idem resp. Same ride distribution as loadgen.c:
-- random client, pickup 07:00-21:59 local on one of the next 60 days, both
-- addresses in the same box around Dordrecht; the haversine provider's
-- distance (x 1.3) and time (25 km/h for 5 km, 60 km/h after) are computed
-- here with a flat-earth approximation, as ritmo computes them before BEGIN.
-- Constant strings (status, aid, channel, ...) are literals where ritmo binds
-- them as parameters, the service date is day0 + doff in SQL where ritmo
-- binds the text, and 'HH24:MI:SS' is split ('HH24:' || 'MI:' ...) because
-- pgbench would read :MI as a variable: none of this changes plan or work.
\set cid random(:cmin, :cmax)
\set doff random(0, 59)
\set t :day0_epoch + :doff * 86400 + random(420, 1319) * 60
\set tlate :t + 900
\set year0n :year0 + 1
\set year case when :doff >= :days_left then :year0n else :year0 end
\set plat_u random(0, 10000)
\set plon_u random(0, 20000)
\set dlat_u random(0, 10000)
\set dlon_u random(0, 20000)
\set plat 51.75 + :plat_u * 0.00001
\set plon 4.55 + :plon_u * 0.00001
\set dlat 51.75 + :dlat_u * 0.00001
\set dlon 4.55 + :dlon_u * 0.00001
\set dy (:dlat_u - :plat_u) * 1.11195
\set dx (:dlon_u - :plon_u) * 1.11195 * 0.6184
\set dist int(sqrt(:dx * :dx + :dy * :dy) * 1.3 + 0.5)
\set near least(:dist, 5000)
\set direct int(:near / (25 / 3.6) + (:dist - :near) / (60 / 3.6) + 0.5)
\set key random(1, 9000000000000000000)
\set zero 0
-- authentication (src/http/server.c, src/auth/token_store.c): its own transaction
BEGIN;
SELECT id, role, coalesce(client_id, 0), coalesce(vehicle_id, 0), coalesce(supplier_id, 0) FROM api_tokens WHERE token_hash = decode(:token_hash, 'hex') AND revoked_at IS NULL;
COMMIT;
-- the booking (src/http/tx.c, src/transport/booking.c and the stores)
BEGIN;
\if :idem
INSERT INTO idempotency_keys (token_id, key, request_hash) VALUES (:token_id, :key, decode(:req_hash, 'hex')) ON CONFLICT DO NOTHING;
\endif
SELECT id, pass_number, name, coalesce(phone, ''), coalesce(email, ''), home_address, home_lat, home_lon, needs_wheelchair, needs_scootmobiel, needs_walker, companion_required, coalesce(deceased_on::text, ''), to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:' || 'MI:' || 'SS"Z"'), to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:' || 'MI:' || 'SS"Z"') FROM clients WHERE id = :cid FOR SHARE;
SELECT EXISTS (SELECT 1 FROM indication_suspensions s WHERE s.indication_id = i.id AND (:day0::date + :doff::int) BETWEEN s.from_date AND s.until_date) FROM indications i WHERE i.client_id = :cid AND (:day0::date + :doff::int) BETWEEN i.valid_from AND least(i.valid_until, coalesce(i.ended_on - 1, i.valid_until));
-- ritmo reads the row count of a plain UPDATE; pgbench needs it as a value
WITH u AS (UPDATE allowance_accounts SET reserved_m = reserved_m + :dist WHERE client_id = :cid AND year = :year AND reserved_m + used_m + :dist <= base_m + adjusted_m RETURNING 1) SELECT count(*) AS fitted FROM u
\gset
\if :fitted
WITH b AS (INSERT INTO bookings (client_id, series_id, outward_id, status, pickup_address, pickup_lat, pickup_lon, dropoff_address, dropoff_lat, dropoff_lon, time_kind, requested_time, pickup_estimate, window_earliest, window_latest, service_date, allowance_year, distance_m, direct_s, distance_provider, reserved_m, companions, aid, channel, notes, booked_by, booked_by_role) VALUES (:cid, nullif(:zero::bigint, 0), nullif(:zero::bigint, 0), 'requested', 'Pgbenchstraat 1, Dordrecht', :plat, :plon, 'Pgbenchweg 2, Dordrecht', :dlat, :dlon, 'pickup_at', to_timestamp(:t), to_timestamp(:t), to_timestamp(:t), to_timestamp(:tlate), (:day0::date + :doff::int), :year, :dist, :direct, 'haversine', :dist, :zero, 'none', 'app', nullif('', ''), nullif(:token_id::bigint, 0), 'dispatcher') RETURNING *) SELECT b.id, b.client_id, coalesce(b.series_id, 0), coalesce(b.outward_id, 0), coalesce((SELECT r.id FROM bookings r WHERE r.outward_id = b.id LIMIT 1), 0), b.status, b.pickup_address, b.pickup_lat, b.pickup_lon, b.dropoff_address, b.dropoff_lat, b.dropoff_lon, b.time_kind, extract(epoch FROM b.requested_time)::bigint, extract(epoch FROM b.pickup_estimate)::bigint, extract(epoch FROM b.window_earliest)::bigint, extract(epoch FROM b.window_latest)::bigint, b.service_date::text, b.allowance_year, b.distance_m, b.direct_s, b.distance_provider, b.reserved_m, b.debited_m, b.companions, b.aid, b.channel, coalesce(b.notes, ''), coalesce(b.booked_by, 0), b.booked_by_role, coalesce(b.cancel_reason, ''), b.sequence, extract(epoch FROM b.created_at)::bigint, extract(epoch FROM b.updated_at)::bigint, coalesce((SELECT s.run_id FROM stops s WHERE s.booking_id = b.id AND s.kind = 'pickup'), 0), coalesce((SELECT extract(epoch FROM s.planned_at)::bigint FROM stops s WHERE s.booking_id = b.id AND s.kind = 'pickup'), 0) FROM b
\gset b_
INSERT INTO allowance_entries (client_id, year, kind, metres, booking_id, actor, reason) VALUES (:cid, :year, 'reserve', :dist, nullif(:b_id::bigint, 0), nullif(:token_id::bigint, 0), NULL);
-- live insertion asks whether the day has runs (none in this benchmark)
SELECT EXISTS (SELECT 1 FROM runs WHERE service_date = (:day0::date + :doff::int) AND status = 'active');
SELECT base_m, adjusted_m, reserved_m, used_m FROM allowance_accounts WHERE client_id = :cid AND year = :year;
\if :idem
UPDATE idempotency_keys SET status = 201, response = :resp WHERE token_id = :token_id AND key = :key;
\endif
-- the access trail entry of the client (src/http/tx.c, src/audit/access_log.c)
INSERT INTO client_access (client_id, token_id, method, route, status, request_id) SELECT :cid, :token_id, 'POST', '/v1/bookings', 201, 'pgbench' WHERE EXISTS (SELECT 1 FROM clients WHERE id = :cid);
COMMIT;
\else
-- 422 allowance_exceeded: ritmo checks that the account exists, reads it for
-- the message and rolls back (an account missing for the year would be
-- created from the indications first; run.sh creates them all up front)
SELECT EXISTS (SELECT 1 FROM allowance_accounts WHERE client_id = :cid AND year = :year);
SELECT base_m, adjusted_m, reserved_m, used_m FROM allowance_accounts WHERE client_id = :cid AND year = :year;
ROLLBACK;
\endif

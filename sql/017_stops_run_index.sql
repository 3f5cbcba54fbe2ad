-- 017_stops_run_index: one index on (run_id, seq), not two.
--
-- The UNIQUE (run_id, seq) constraint of 005 has its own index, which
-- serves every lookup of a run's stops; stops_run repeated it, and every
-- stop a live insertion moves (its sequence number and planned time
-- change) wrote an entry into both, under the day's planning lock.

DROP INDEX stops_run;

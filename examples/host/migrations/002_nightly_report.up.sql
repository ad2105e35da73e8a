-- dbshift:depends-on jobs/001
-- Queue the nightly report once, in the jobs table of libauthjobs.
INSERT INTO jobs (id, queue, payload, state, run_at, attempts)
VALUES (1, 'reports', '{"report": "nightly"}', 'ready',
	'2024-01-01T00:00:00Z', 0);

-- dbshift:depends-on auth/001
-- A job may name the user who queued it, so the queue comes after the
-- users table of the auth source.
CREATE TABLE jobs (
	id BIGINT NOT NULL PRIMARY KEY,
	queue VARCHAR(64) NOT NULL,
	payload TEXT NOT NULL,
	state VARCHAR(16) NOT NULL,
	run_at VARCHAR(32) NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	created_by BIGINT,
	FOREIGN KEY (created_by) REFERENCES auth_users (id)
);

-- Accounts. Only the id column differs between dialects: this generic
-- script runs on SQLite (INTEGER PRIMARY KEY numbers rows by itself);
-- postgres/up.sql and mysql/up.sql replace it on those dialects.
CREATE TABLE auth_users (
	id INTEGER PRIMARY KEY,
	email VARCHAR(255) NOT NULL UNIQUE,
	password_hash VARCHAR(255) NOT NULL,
	created_at VARCHAR(32) NOT NULL
);

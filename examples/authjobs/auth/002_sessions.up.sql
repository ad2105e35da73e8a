CREATE TABLE auth_sessions (
	token VARCHAR(64) NOT NULL PRIMARY KEY,
	user_id BIGINT NOT NULL,
	expires_at VARCHAR(32) NOT NULL,
	FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

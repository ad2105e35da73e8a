CREATE TABLE auth_password_resets (
	token VARCHAR(64) NOT NULL PRIMARY KEY,
	user_id BIGINT NOT NULL,
	expires_at VARCHAR(32) NOT NULL,
	used_at VARCHAR(32),
	FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
);

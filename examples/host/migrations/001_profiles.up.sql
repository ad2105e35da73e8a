-- dbshift:depends-on auth/001
CREATE TABLE profiles (
	user_id BIGINT NOT NULL PRIMARY KEY,
	display_name VARCHAR(100) NOT NULL,
	FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
);

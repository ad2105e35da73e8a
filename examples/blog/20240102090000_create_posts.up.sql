CREATE TABLE posts (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	title VARCHAR(200) NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX posts_user_id ON posts (user_id);

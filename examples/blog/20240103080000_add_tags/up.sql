CREATE TABLE tags (
	post_id INTEGER NOT NULL REFERENCES posts (id),
	tag VARCHAR(64) NOT NULL,
	PRIMARY KEY (post_id, tag)
);

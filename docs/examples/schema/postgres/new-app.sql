-- What version 2 does: it no longer knows email and writes display_name.
INSERT INTO users (name, display_name) VALUES ('new', 'New User');
SELECT id, name, display_name FROM users WHERE display_name IS NOT NULL;

-- What version 2 does: it reads full_name, and writes both names until the contract phase.
INSERT INTO users (name, full_name, email) VALUES ('new', 'New User', 'new@example.com');
SELECT id, full_name, email FROM users WHERE full_name IS NOT NULL;

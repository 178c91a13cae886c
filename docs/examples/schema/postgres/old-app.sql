-- What version 1 of the application does: it must keep working until the contract phase.
INSERT INTO users (name, email) VALUES ('old', 'old@example.com');
SELECT id, name, email FROM users WHERE email = 'old@example.com';
UPDATE users SET email = 'older@example.com' WHERE name = 'old';

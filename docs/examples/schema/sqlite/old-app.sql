-- What version 1 of the application does: it must keep working until the contract phase.
INSERT INTO users (name, email) VALUES ('old', 'old@example.com');
SELECT id, name, email FROM users WHERE name = 'old';
UPDATE users SET name = 'older' WHERE email = 'old@example.com';

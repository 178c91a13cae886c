-- The old version's own statements, run after expand on the attempt's database and on an untouched copy.
INSERT INTO users (id, name, email) VALUES (1000, 'blue', 'blue@example.com');
UPDATE users SET status = 'seen' WHERE id = 1;
INSERT INTO orders (id, user_id, total) VALUES (1000, 1000, 9.99);
DELETE FROM orders WHERE id = 2;
SELECT id, name, email, status FROM users ORDER BY id;
SELECT v FROM settings WHERE k = 'mode';

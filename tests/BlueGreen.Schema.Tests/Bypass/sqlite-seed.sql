-- What the old version runs on: the bypass corpus checks that these tables, columns and rows survive expand.
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, status TEXT NOT NULL DEFAULT 'active');
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, total REAL NOT NULL);
CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE INDEX users_email_idx ON users (email);
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50) INSERT INTO users (id, name, email) SELECT n, 'user' || n, 'u' || n || '@example.com' FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 100) INSERT INTO orders SELECT n, 1 + n % 50, n * 1.5 FROM g;
INSERT INTO settings VALUES ('mode', 'live'), ('theme', 'dark');

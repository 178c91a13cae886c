-- Classification corpus for SQLite: "-- expect: <kind> [rule ...]" before each statement.

-- expect: additive
CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
-- expect: additive
CREATE TABLE IF NOT EXISTS "order lines" ("id;" INTEGER, [qty] INTEGER, `note` TEXT DEFAULT 'a;b');
-- expect: additive
CREATE TEMP TABLE scratch (k TEXT);
-- expect: additive
CREATE TEMPORARY TABLE IF NOT EXISTS scratch2 AS SELECT * FROM accounts;
-- expect: additive
ALTER TABLE scratch DROP COLUMN k;
-- expect: additive
CREATE UNIQUE INDEX scratch_k ON scratch (k);
-- expect: additive
CREATE VIRTUAL TABLE docs USING fts5(title, body);
-- expect: additive
ALTER TABLE users ADD COLUMN display_name TEXT;
-- expect: additive
ALTER TABLE users ADD display_name2 TEXT NULL;
-- expect: additive
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
-- expect: additive
ALTER TABLE users ADD COLUMN score REAL DEFAULT 0.0;
-- expect: additive
ALTER TABLE users ADD COLUMN visits INTEGER NOT NULL DEFAULT -1;
-- expect: additive
ALTER TABLE users ADD COLUMN team_id INTEGER REFERENCES teams(id);
-- expect: additive
ALTER TABLE users ADD COLUMN age INTEGER CHECK (age >= 0);
-- expect: additive
ALTER TABLE users ADD COLUMN lower_email TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL;
-- expect: additive adding-field-with-default
ALTER TABLE users ADD COLUMN lower_name TEXT GENERATED ALWAYS AS (lower(name)) STORED;
-- expect: additive adding-field-with-default
ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;
-- expect: additive adding-field-with-default
ALTER TABLE users ADD COLUMN token TEXT DEFAULT (hex(randomblob(16)));
-- expect: tightening adding-required-field
ALTER TABLE users ADD COLUMN tenant_id INTEGER NOT NULL;
-- expect: tightening adding-required-field
ALTER TABLE users ADD COLUMN tenant_id2 INTEGER NOT NULL DEFAULT NULL;
-- expect: additive disallowed-unique-constraint
ALTER TABLE users ADD COLUMN handle TEXT UNIQUE;
-- expect: additive disallowed-unique-constraint
ALTER TABLE users ADD COLUMN id2 INTEGER PRIMARY KEY;
-- expect: destructive ban-drop-column
ALTER TABLE users DROP COLUMN email;
-- expect: destructive ban-drop-column
ALTER TABLE "users" DROP "E-Mail";
-- expect: destructive ban-drop-column
alter table main.users drop column [legacy];
-- expect: destructive renaming-column
ALTER TABLE users RENAME COLUMN name TO full_name;
-- expect: destructive renaming-column
ALTER TABLE users RENAME name TO full_name;
-- expect: destructive renaming-table
ALTER TABLE users RENAME TO people;
-- expect: additive
CREATE INDEX users_status ON users (status);
-- expect: additive
CREATE INDEX IF NOT EXISTS users_lower_email ON users (lower(email)) WHERE deleted_at IS NULL;
-- expect: tightening tightening-constraint
CREATE UNIQUE INDEX users_email ON users (email);
-- expect: tightening tightening-constraint
CREATE UNIQUE INDEX IF NOT EXISTS main.users_handle ON users (handle COLLATE NOCASE);
-- expect: destructive dropping-object
DROP INDEX users_status;
-- expect: destructive dropping-object
DROP INDEX IF EXISTS main.users_email;
-- expect: destructive ban-drop-table
DROP TABLE legacy_sessions;
-- expect: destructive ban-drop-table
DROP TABLE IF EXISTS "legacy; sessions";
-- expect: destructive dropping-object
DROP VIEW active_users;
-- expect: destructive dropping-object
DROP TRIGGER IF EXISTS users_sync;
-- expect: additive
CREATE VIEW active_users AS SELECT id, name FROM users WHERE status = 'active';
-- expect: additive
CREATE VIEW IF NOT EXISTS "v;1" AS SELECT ';' AS semi, "a;b" FROM [t;1];
-- Trigger bodies hold semicolons between BEGIN and END; CASE ... END nests inside. The body is
-- classified too: it overwrites full_name, which this script does not add, so the old version reads it.
-- expect: destructive creating-trigger overwriting-rows
CREATE TRIGGER users_sync AFTER UPDATE OF name ON users
BEGIN
    UPDATE users SET full_name = NEW.name WHERE id = NEW.id;
    INSERT INTO audit (what) VALUES (CASE WHEN NEW.name IS NULL THEN 'cleared;' ELSE 'set' END);
END;
-- expect: unknown creating-trigger
CREATE TEMP TRIGGER IF NOT EXISTS t2 BEFORE DELETE ON users FOR EACH ROW WHEN OLD.id > 0 BEGIN SELECT RAISE(ABORT, 'no; deletes'); END;
-- expect: additive
INSERT INTO users (name, email) VALUES ('O''Brien; Jr.', 'a@b.c');
-- expect: additive
INSERT OR IGNORE INTO users (name, email) VALUES (?, :email);
-- REPLACE deletes the row it collides with before it inserts.
-- expect: destructive overwriting-rows
REPLACE INTO settings (k, v) VALUES ('mode', 'x');
-- expect: additive
UPDATE users SET display_name = name WHERE display_name IS NULL;
-- expect: additive
INSERT INTO users (name, email) SELECT name, email FROM old_users WHERE id > @min;
-- expect: destructive deleting-rows
DELETE FROM sessions WHERE expires_at < strftime('%s', 'now');
-- expect: destructive deleting-rows
WITH old AS (SELECT id FROM sessions) DELETE FROM sessions WHERE id IN (SELECT id FROM old);
-- expect: additive
WITH x AS (SELECT 1) SELECT * FROM x;
-- expect: additive
SELECT 1 /* block; comment */ + 2 -- line; comment
;
-- expect: additive
SELECT X'1F2F', "quoted ""ident;""", `back``tick;`, [bracket;name] FROM t;
-- expect: additive
SELECT $name, ?1, :v, @w;
-- expect: additive
ANALYZE;
-- expect: additive
REINDEX users_email;
-- expect: unknown unknown-statement
VACUUM;
-- expect: unknown unknown-statement
PRAGMA foreign_keys = OFF;
-- expect: unknown unknown-statement
PRAGMA user_version = 7;
-- expect: unknown transaction-nesting
BEGIN TRANSACTION;
-- expect: unknown transaction-nesting
BEGIN IMMEDIATE;
-- expect: unknown transaction-nesting
COMMIT;
-- expect: unknown transaction-nesting
END TRANSACTION;
-- expect: unknown transaction-nesting
ROLLBACK;
-- expect: unknown transaction-nesting
SAVEPOINT before_rebuild;
-- expect: unknown transaction-nesting
RELEASE before_rebuild;
-- expect: unknown unknown-statement
ATTACH DATABASE 'other.db' AS other;
-- expect: unknown unknown-statement
DETACH DATABASE other;
-- The table rebuild pattern: each step gets its own verdict.
-- expect: additive
CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
-- expect: additive
INSERT INTO users_new (id, name) SELECT id, name FROM users;
-- expect: destructive ban-drop-table
DROP TABLE users;
-- expect: destructive renaming-table
ALTER TABLE users_new RENAME TO users;
-- expect: additive
CREATE TABLE t1 (a INTEGER, b TEXT, CONSTRAINT t1_b CHECK (b <> ';'), UNIQUE (a, b));
-- expect: additive
CREATE TABLE t2 (id INTEGER PRIMARY KEY AUTOINCREMENT, parent INTEGER REFERENCES t1(a) ON DELETE CASCADE) WITHOUT ROWID;
-- expect: additive
CREATE TABLE t3 (id INTEGER PRIMARY KEY) STRICT;
-- expect: additive
CREATE INDEX t1_a ON t1 (a);
-- expect: additive
CREATE UNIQUE INDEX t1_ab ON t1 (a, b);
-- expect: tightening adding-required-field
ALTER TABLE t1 ADD COLUMN c TEXT NOT NULL;
-- expect: additive
ALTER TABLE t1 DROP COLUMN c;
-- expect: destructive renaming-column
ALTER TABLE t1 RENAME COLUMN b TO bb;
-- expect: additive
SELECT 'it''s /* not a comment */ -- nor this', "x" FROM t1;
-- expect: additive
EXPLAIN QUERY PLAN SELECT * FROM users WHERE email = 'x';
-- expect: destructive ban-drop-table
DROP TABLE IF EXISTS t3;
-- expect: destructive dropping-object
DROP VIEW IF EXISTS "v;1";
-- expect: additive
INSERT INTO audit VALUES (1, 'multi
line; string');
-- expect: additive
UPDATE users SET status = 'x' WHERE name LIKE '%;%' ESCAPE '\';
-- expect: additive
VALUES (1), (2);
-- expect: additive
SELECT CASE WHEN 1 THEN 'a' ELSE 'b' END;
-- expect: unknown unknown-statement
PRAGMA journal_mode = WAL;
-- expect: additive
CREATE INDEX users_created ON users (created_at DESC);
-- expect: additive
CREATE TABLE "CamelCase" ("Id" INTEGER);
-- SQLite block comments do not nest: /* ends at the first */, so "DROP TABLE x;" below is a statement.
/* outer /* inner */
-- expect: destructive ban-drop-table
DROP TABLE x;
-- A comment left open at the end is allowed by SQLite.
-- expect: additive
SELECT 2; /* open comment at the end

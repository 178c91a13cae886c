-- Bypass corpus for SQLite. Each attempt is one release's expand scripts, applied through the migrator to
-- a real SQLite file seeded with sqlite-seed.sql; afterwards sqlite-blue.sql (the old version's statements)
-- runs on it and on an untouched copy, and every table, column and row the old version had must be as on
-- the copy. BypassCorpusTests runs it. The header format is described in postgres.sql.

-- attempt: sq-a01
-- expect: blocked
-- tries: the plain thing: DROP TABLE without a waiver
DROP TABLE orders;

-- attempt: sq-a02
-- expect: blocked
-- tries: UPDATE without a WHERE
UPDATE users SET email = NULL;

-- attempt: sq-a03
-- expect: blocked
-- tries: WHERE 1
UPDATE users SET status = 'gone' WHERE 1;

-- attempt: sq-a04
-- expect: blocked
-- tries: WHERE TRUE
UPDATE users SET status = 'gone' WHERE TRUE;

-- attempt: sq-a05
-- expect: blocked
-- tries: a column compared with itself
UPDATE users SET name = 'x' WHERE "id" = "id";

-- attempt: sq-a06
-- expect: blocked
-- tries: a keyed WHERE with an OR'ed constant
UPDATE users SET name = 'x' WHERE id = 3 OR 1;

-- attempt: sq-a07
-- expect: blocked
-- tries: a keyed UPDATE of a column the old version reads
UPDATE users SET email = 'x@example.com' WHERE id > 0;

-- attempt: sq-a08
-- expect: blocked
-- tries: DELETE without a WHERE
DELETE FROM orders;

-- attempt: sq-a09
-- expect: blocked
-- tries: DELETE with WHERE 1 = 1
DELETE FROM orders WHERE 1 = 1;

-- attempt: sq-a10
-- expect: blocked
-- tries: REPLACE INTO overwrites the row it collides with
REPLACE INTO settings (k, v) VALUES ('mode', 'off');

-- attempt: sq-a11
-- expect: blocked
-- tries: INSERT OR REPLACE deletes the user it collides with, and the orders cascade
INSERT OR REPLACE INTO users (id, name, email) VALUES (1, 'new', 'new@example.com');

-- attempt: sq-a12
-- expect: blocked
-- tries: an upsert's DO UPDATE
INSERT INTO settings (k, v) VALUES ('mode', 'off') ON CONFLICT (k) DO UPDATE SET v = excluded.v;

-- attempt: sq-a13
-- expect: blocked
-- tries: UPDATE OR REPLACE: a key change that deletes the row it collides with
UPDATE OR REPLACE users SET id = 1 WHERE id = 2;

-- attempt: sq-a14
-- expect: blocked
-- tries: a harmless CTE in front of an UPDATE of every row
WITH x AS (SELECT 1) UPDATE users SET email = NULL;

-- attempt: sq-a15
-- expect: blocked
-- tries: a CTE in front of DELETE
WITH doomed AS (SELECT id FROM orders) DELETE FROM orders WHERE id IN (SELECT id FROM doomed);

-- attempt: sq-a16
-- expect: blocked
-- tries: a CTE in front of INSERT OR REPLACE
WITH n (k, v) AS (VALUES ('theme', 'light')) INSERT OR REPLACE INTO settings SELECT k, v FROM n;

-- attempt: sq-a17
-- expect: blocked
-- tries: a waived trigger whose body deletes rows when the old version inserts
-- bluegreen:waive creating-trigger: audit
CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN DELETE FROM orders WHERE user_id = NEW.id % 50; END;

-- attempt: sq-a18
-- expect: blocked
-- tries: a waived trigger whose body overwrites a column the old version reads
-- bluegreen:waive creating-trigger: keeps email in sync
CREATE TRIGGER users_sync AFTER UPDATE ON users BEGIN UPDATE users SET email = NULL WHERE id = NEW.id; END;

-- attempt: sq-a19
-- expect: blocked
-- tries: a waived trigger whose body REPLACEs a setting
-- bluegreen:waive creating-trigger: reviewed
CREATE TRIGGER orders_mode AFTER INSERT ON orders BEGIN REPLACE INTO settings (k, v) VALUES ('mode', 'off'); END;

-- attempt: sq-a20
-- expect: blocked
-- tries: a waived trigger with a CASE ... END before the damaging statement
-- bluegreen:waive creating-trigger: reviewed
CREATE TRIGGER users_case AFTER UPDATE ON users WHEN NEW.id > 0
BEGIN
    SELECT CASE WHEN NEW.status = 'x' THEN 'a;' ELSE 'b' END;
    DELETE FROM orders WHERE user_id = NEW.id;
END;

-- attempt: sq-a21
-- expect: blocked
-- tries: a table named begin, to open a trigger body that swallows the next statement
CREATE TABLE begin (x int); DROP TABLE orders;

-- attempt: sq-a22
-- expect: blocked
-- tries: a column named trigger
ALTER TABLE users ADD COLUMN trigger int; DROP TABLE orders;

-- attempt: sq-a23
-- expect: blocked
-- tries: a trigger named begin on a table named begin
CREATE TABLE begin (x int);
-- bluegreen:waive creating-trigger: reviewed
CREATE TRIGGER begin AFTER INSERT ON begin BEGIN SELECT 1; END; DROP TABLE orders;

-- attempt: sq-a24
-- expect: blocked
-- tries: a waiver after another statement on the same line
SELECT 1; -- bluegreen:waive ban-drop-table: after a statement
DROP TABLE orders;

-- attempt: sq-a25
-- expect: blocked
-- tries: a waiver inside a string
SELECT '
-- bluegreen:waive ban-drop-table: inside a string
';
DROP TABLE orders;

-- attempt: sq-a26
-- expect: blocked
-- tries: a broken statement whose open parenthesis swallows a DROP
CREATE TABLE x (a int; DROP TABLE orders; );

-- attempt: sq-c12
-- expect: passes
-- tries: an unterminated block comment at the end is a comment to SQLite, so the DROP in it never runs
ALTER TABLE users ADD COLUMN note TEXT; /* DROP TABLE orders;

-- attempt: sq-a28
-- expect: blocked
-- tries: DROP COLUMN
ALTER TABLE users DROP COLUMN email;

-- attempt: sq-a29
-- expect: blocked
-- tries: RENAME COLUMN
ALTER TABLE users RENAME COLUMN email TO mail;

-- attempt: sq-a30
-- expect: blocked
-- tries: RENAME TABLE
ALTER TABLE orders RENAME TO orders_old;

-- attempt: sq-a31
-- expect: blocked
-- tries: PRAGMA writable_schema
PRAGMA writable_schema = ON;

-- attempt: sq-a32
-- expect: blocked
-- tries: load_extension() reaches outside the database
SELECT load_extension('evil');

-- attempt: sq-a33
-- expect: blocked
-- tries: a row-value SET of existing columns
UPDATE users SET (email, status) = ('x', 'y') WHERE id = 1;

-- attempt: sq-a34
-- expect: blocked
-- tries: a new column and an old one in one UPDATE
ALTER TABLE users ADD COLUMN nick TEXT;
UPDATE users SET nick = name, email = NULL;

-- attempt: sq-a35
-- expect: blocked
-- tries: backfill of a column an earlier release added: the old version reads it now
-- earlier-release: expand/V0001__add_nick.sql
ALTER TABLE users ADD COLUMN nick TEXT;
-- file: expand/V0101__fill_nick.sql
UPDATE users SET nick = 'overwritten';

-- attempt: sq-a36
-- expect: blocked
-- tries: an existing column spelled in another case, quoted
ALTER TABLE users ADD COLUMN EMAIL2 TEXT;
UPDATE users SET "EMAIL" = NULL;

-- attempt: sq-a37
-- expect: blocked
-- tries: WITH ... UPDATE OR REPLACE
WITH x AS (SELECT 2 AS id) UPDATE OR REPLACE users SET id = 1 WHERE id IN (SELECT id FROM x);

-- attempt: sq-a38
-- expect: blocked
-- tries: an upsert from a SELECT (WHERE true keeps the parser happy)
INSERT INTO settings SELECT 'theme', 'light' WHERE true ON CONFLICT (k) DO UPDATE SET v = excluded.v;

-- attempt: sq-a39
-- expect: blocked
-- tries: ATTACH another database
ATTACH DATABASE 'other.db' AS other;

-- attempt: sq-a40
-- expect: blocked
-- tries: DROP INDEX the old version's queries use
DROP INDEX users_email_idx;

-- attempt: sq-a41
-- expect: blocked
-- tries: a DELETE with a subquery that selects every row
DELETE FROM orders WHERE (SELECT 1);

-- attempt: sq-a42
-- expect: blocked
-- tries: overwrite a column of a table an earlier release created, as if the table were new
-- earlier-release: expand/V0001__teams.sql
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
-- file: expand/V0101__rename_teams.sql
UPDATE teams SET name = 'x';

-- ============================================================== controls: these must pass and apply
-- attempt: sq-c01
-- expect: passes
-- tries: a nullable column
-- check: SELECT count(*) = 1 FROM pragma_table_info('users') WHERE name = 'nick'
ALTER TABLE users ADD COLUMN nick TEXT;

-- attempt: sq-c02
-- expect: passes
-- tries: a new column and its backfill in one script
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick TEXT;
UPDATE users SET nick = name WHERE nick IS NULL;

-- attempt: sq-c03
-- expect: passes
-- tries: the backfill in a later script of the same release
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
-- file: expand/V0101__add_nick.sql
ALTER TABLE users ADD COLUMN nick TEXT;
-- file: expand/V0102__fill_nick.sql
UPDATE users SET nick = lower(name) WHERE nick IS NULL;

-- attempt: sq-c04
-- expect: passes
-- tries: a backfill of a new column over every row, without a WHERE
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick TEXT;
UPDATE users SET nick = upper(name);

-- attempt: sq-c05
-- expect: passes
-- tries: a new table: fill, update, replace, delete
-- check: SELECT count(*) = 10 FROM scratch
CREATE TABLE scratch (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO scratch SELECT id, name FROM users;
UPDATE scratch SET v = 'x';
REPLACE INTO scratch VALUES (1, 'y');
DELETE FROM scratch WHERE id > 10;

-- attempt: sq-c06
-- expect: passes
-- tries: an index on an existing table
-- check: SELECT count(*) = 1 FROM sqlite_master WHERE type = 'index' AND name = 'users_name_idx'
CREATE INDEX IF NOT EXISTS users_name_idx ON users (name);

-- attempt: sq-c07
-- expect: passes
-- tries: INSERT OR IGNORE keeps what is there
-- check: SELECT v = 'live' FROM settings WHERE k = 'mode'
INSERT OR IGNORE INTO settings (k, v) VALUES ('mode', 'off'), ('lang', 'en');

-- attempt: sq-c08
-- expect: passes
-- tries: a waived trigger whose body only fills the new column
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick TEXT;
-- bluegreen:waive creating-trigger: only fills nick for rows the old version inserts
CREATE TRIGGER users_fill_nick AFTER INSERT ON users WHEN NEW.nick IS NULL
BEGIN
    UPDATE users SET nick = NEW.name WHERE id = NEW.id;
END;
UPDATE users SET nick = name WHERE nick IS NULL;

-- attempt: sq-c09
-- expect: passes
-- tries: a view
CREATE VIEW active_users AS SELECT id, name FROM users WHERE status = 'active';

-- attempt: sq-c10
-- expect: passes
-- tries: a bracket-quoted column name holding a comma
-- check: SELECT count(*) = 1 FROM pragma_table_info('users') WHERE name = 'odd, name'
ALTER TABLE users ADD COLUMN [odd, name] TEXT;

-- attempt: sq-c11
-- expect: passes
-- tries: a column with a constant default, NOT NULL
ALTER TABLE users ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;

-- attempt: sq-c13
-- expect: passes
-- tries: backfill of a new column on a table an earlier release created
-- check: SELECT count(*) = 0 FROM teams WHERE nick IS NULL
-- earlier-release: expand/V0001__teams.sql
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
-- file: expand/V0101__nick.sql
ALTER TABLE teams ADD COLUMN nick TEXT;
UPDATE teams SET nick = upper(name);

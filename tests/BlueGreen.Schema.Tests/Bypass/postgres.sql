-- Bypass corpus for PostgreSQL. Each attempt is one release's expand scripts, applied through the migrator
-- to a real PostgreSQL 15 seeded with postgres-seed.sql; afterwards postgres-blue.sql (the old version's
-- statements) runs on it and on an untouched copy, and every table, column and row the old version had
-- must be as on the copy. BypassCorpusTests runs it.
--
-- Header of an attempt:
--   -- attempt: <id>            -- expect: blocked | passes
--   -- tries: <what it tries>   -- check: <a query that must return true once a control applied>
-- In the script, "-- file: expand/V0101__x.sql" starts another script of the same release,
-- "-- earlier-release: expand/V0001__x.sql" one that an earlier release applied, and <CR> is a carriage return.

-- attempt: pg-a01
-- expect: blocked
-- tries: the plain thing: DROP TABLE without a waiver
DROP TABLE orders;

-- attempt: pg-a02
-- expect: blocked
-- tries: UPDATE without a WHERE overwrites a column the old version reads
UPDATE users SET email = NULL;

-- attempt: pg-a03
-- expect: blocked
-- tries: WHERE true is no WHERE
UPDATE users SET status = 'gone' WHERE true;

-- attempt: pg-a04
-- expect: blocked
-- tries: WHERE 1 = 1 in parentheses
UPDATE users SET status = 'gone' WHERE (1 = 1);

-- attempt: pg-a05
-- expect: blocked
-- tries: a column compared with itself matches every row
UPDATE users SET name = 'x' WHERE id = id;

-- attempt: pg-a06
-- expect: blocked
-- tries: a keyed WHERE with an OR'ed constant arm
UPDATE users SET name = 'x' WHERE id = 3 OR 'a' = 'a';

-- attempt: pg-a07
-- expect: blocked
-- tries: a keyed UPDATE of a column the old version reads (WHERE id > 0 is every row in practice)
UPDATE users SET email = 'x@example.com' WHERE id > 0;

-- attempt: pg-a08
-- expect: blocked
-- tries: DELETE without a WHERE
DELETE FROM orders;

-- attempt: pg-a09
-- expect: blocked
-- tries: a data-modifying CTE under a SELECT
WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d;

-- attempt: pg-a10
-- expect: blocked
-- tries: a harmless CTE in front of an UPDATE of every row
WITH x AS (SELECT 1) UPDATE users SET email = NULL;

-- attempt: pg-a11
-- expect: blocked
-- tries: an UPDATE inside a CTE, materialized, behind a column list
WITH u (k) AS MATERIALIZED (UPDATE settings SET v = 'off' RETURNING k) SELECT * FROM u;

-- attempt: pg-a12
-- expect: blocked
-- tries: an upsert that overwrites the row it collides with
INSERT INTO settings (k, v) VALUES ('mode', 'off') ON CONFLICT (k) DO UPDATE SET v = excluded.v;

-- attempt: pg-a13
-- expect: blocked
-- tries: MERGE ... THEN UPDATE (PostgreSQL 15)
MERGE INTO settings s USING (VALUES ('mode', 'off')) AS n (k, v) ON s.k = n.k WHEN MATCHED THEN UPDATE SET v = n.v;

-- attempt: pg-a14
-- expect: blocked
-- tries: MERGE ... THEN DELETE
MERGE INTO orders o USING users u ON o.user_id = u.id WHEN MATCHED THEN DELETE;

-- attempt: pg-a15
-- expect: blocked
-- tries: TRUNCATE
TRUNCATE orders;

-- attempt: pg-a16
-- expect: blocked
-- tries: TRUNCATE of a table this release created, with an old one beside it
CREATE TABLE scratch (id int);
TRUNCATE scratch, orders;

-- attempt: pg-a17
-- expect: blocked
-- tries: a DO block, waived as a DO block, that deletes rows
-- bluegreen:waive unknown-do-block: reviewed
DO $$ BEGIN DELETE FROM orders WHERE total > 0; END $$;

-- attempt: pg-a18
-- expect: blocked
-- tries: a waived DO block whose EXECUTE of a literal drops a table
-- bluegreen:waive unknown-do-block: reviewed
DO LANGUAGE plpgsql $body$ DECLARE n int := 1; BEGIN IF n = 1 THEN EXECUTE 'DROP TABLE orders'; END IF; END $body$;

-- attempt: pg-a19
-- expect: blocked
-- tries: a waived DO block that EXECUTEs a computed string
-- bluegreen:waive unknown-do-block: reviewed
DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'orders'; END $$;

-- attempt: pg-a20
-- expect: blocked
-- tries: a trigger, waived as a trigger, whose function deletes the old version's rows on its writes
CREATE FUNCTION purge_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders WHERE user_id = NEW.id;
    RETURN NEW;
END;
$$;
-- bluegreen:waive creating-trigger: keeps an audit trail
CREATE TRIGGER users_purge AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION purge_orders();

-- attempt: pg-a21
-- expect: blocked
-- tries: a SQL function that deletes, run by a SELECT
CREATE FUNCTION wipe() RETURNS int LANGUAGE sql AS $$ DELETE FROM orders; SELECT 1 $$;
SELECT wipe();

-- attempt: pg-a22
-- expect: blocked
-- tries: a BEGIN ATOMIC body that deletes, run from INSERT ... SELECT into a new table
CREATE TABLE log (n int);
CREATE FUNCTION wipe2() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM orders; SELECT 1; END;
INSERT INTO log SELECT wipe2();

-- attempt: pg-a23
-- expect: blocked
-- tries: a rule, waived as an unknown statement, that deletes rows whenever the old version inserts
-- bluegreen:waive unknown-statement: reviewed
CREATE RULE users_insert AS ON INSERT TO users DO ALSO DELETE FROM orders;

-- attempt: pg-a24
-- expect: blocked
-- tries: replacing the body of a function the old version's trigger runs, waived as a replacement
-- bluegreen:waive replacing-definition: same signature
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders WHERE user_id = NEW.id;
    RETURN NEW;
END;
$$;

-- attempt: pg-a25
-- expect: blocked
-- tries: SET DEFAULT NULL is DROP DEFAULT: the old version's inserts leave status out and fail
ALTER TABLE users ALTER COLUMN status SET DEFAULT NULL;

-- attempt: pg-a26
-- expect: blocked
-- tries: SET DEFAULT NULL::text in a multi-action ALTER TABLE
ALTER TABLE users ADD COLUMN note text, ALTER COLUMN status SET DEFAULT (NULL::text);

-- attempt: pg-a27
-- expect: blocked
-- tries: REINDEX (CONCURRENTLY false) is a blocking reindex
REINDEX (CONCURRENTLY false) TABLE users;

-- attempt: pg-a28
-- expect: blocked
-- tries: REINDEX (VERBOSE, CONCURRENTLY off) spelled another way
REINDEX (VERBOSE, concurrently 'off') INDEX users_email_idx;

-- attempt: pg-a29
-- expect: blocked
-- tries: a default calling app.now(), not the built-in now(): volatile, rewrites the table
CREATE SCHEMA app;
CREATE FUNCTION app.now() RETURNS timestamptz LANGUAGE sql VOLATILE AS $$ SELECT clock_timestamp() $$;
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT app.now();

-- attempt: pg-a30
-- expect: blocked
-- tries: a default calling a function of this release that deletes rows, once per existing row
CREATE FUNCTION stamp() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE id = 1; RETURN 1; END $$;
ALTER TABLE users ADD COLUMN stamp int DEFAULT stamp();

-- attempt: pg-a31
-- expect: blocked
-- tries: turn off lock_timeout, so DDL queues behind the old version and blocks it
SET lock_timeout = 0;
ALTER TABLE users ADD COLUMN nick text;

-- attempt: pg-a32
-- expect: blocked
-- tries: keyed UPDATE of an existing column from inside a plpgsql loop in a waived DO block
-- bluegreen:waive unknown-do-block: reviewed
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT id FROM users LOOP
        UPDATE users SET email = NULL WHERE id = r.id;
    END LOOP;
END $$;

-- attempt: pg-a33
-- expect: blocked
-- tries: a table named function with columns begin/atomic, to merge the next statement into it
CREATE TABLE function (begin int, atomic int); DROP TABLE orders;

-- attempt: pg-a34
-- expect: blocked
-- tries: a column named trigger
ALTER TABLE users ADD COLUMN trigger int; DROP TABLE orders;

-- attempt: pg-a35
-- expect: blocked
-- tries: a function named begin, to open a body that never ends
CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; DROP TABLE orders;

-- attempt: pg-a36
-- expect: blocked
-- tries: a -- comment ended by a bare CR hides a sub-action the server runs
ALTER TABLE users -- add a note<CR> DROP COLUMN email,
    ADD COLUMN note text;

-- attempt: pg-a37
-- expect: blocked
-- tries: a -- comment ended by a bare CR hides a whole statement
SELECT 1; -- harmless<CR>DROP TABLE orders;
SELECT 2;

-- attempt: pg-a38
-- expect: blocked
-- tries: a waiver after another statement on the same line
SELECT 1; -- bluegreen:waive ban-drop-table: after a statement
DROP TABLE orders;

-- attempt: pg-a39
-- expect: blocked
-- tries: a waiver inside a string above the statement
SELECT '
-- bluegreen:waive ban-drop-table: inside a string
';
DROP TABLE orders;

-- attempt: pg-a40
-- expect: blocked
-- tries: a broken statement with an unclosed parenthesis swallowing a DROP
ALTER TABLE users ADD COLUMN a int DEFAULT (1;
DROP TABLE orders;

-- attempt: pg-a41
-- expect: blocked
-- tries: a standard string ending in a backslash, which does not escape the quote
SELECT 'a\'; DROP TABLE orders; -- ';

-- attempt: pg-a42
-- expect: blocked
-- tries: backfill of a column an earlier release added: the old version reads it now
-- earlier-release: expand/V0001__add_nick.sql
ALTER TABLE users ADD COLUMN nick text;
-- file: expand/V0101__fill_nick.sql
UPDATE users SET nick = 'overwritten';

-- attempt: pg-a43
-- expect: blocked
-- tries: ADD COLUMN IF NOT EXISTS of a column that exists, then "backfill" it
ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;
UPDATE users SET email = NULL WHERE email IS NOT NULL;

-- attempt: pg-a44
-- expect: blocked
-- tries: a function of this release that drops a table, run by PERFORM in a waived DO block
CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE orders'; END $$;
-- bluegreen:waive unknown-do-block: reviewed
DO $$ BEGIN PERFORM cleanup(); END $$;

-- attempt: pg-a45
-- expect: blocked
-- tries: a SELECT that runs a function of unknown effect (it may predate the release)
CREATE FUNCTION cleanup2() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('DROP TABLE %I', 'orders'); END $$;
SELECT cleanup2();

-- attempt: pg-a46
-- expect: blocked
-- tries: UPDATE through a writable CTE whose main statement is an upsert
WITH n AS (SELECT 'theme' AS k, 'light' AS v) INSERT INTO settings SELECT k, v FROM n ON CONFLICT (k) DO UPDATE SET v = excluded.v;

-- attempt: pg-a47
-- expect: blocked
-- tries: CREATE INDEX without CONCURRENTLY written as a quoted name "concurrently"
CREATE INDEX "concurrently" ON users (name);

-- attempt: pg-a48
-- expect: blocked
-- tries: commas inside an array literal beside a DROP COLUMN sub-action
ALTER TABLE users ADD COLUMN tags text[] DEFAULT ARRAY['a', 'b'], DROP COLUMN email;

-- attempt: pg-a49
-- expect: blocked
-- tries: a rule that turns the old version's inserts into nothing, with its action in parentheses beside a delete
-- bluegreen:waive unknown-statement: reviewed
CREATE RULE users_quiet AS ON UPDATE TO users DO INSTEAD (SELECT 1; DELETE FROM orders WHERE user_id = NEW.id);

-- attempt: pg-a50
-- expect: blocked
-- tries: RESET ALL takes back the migration's lock_timeout
RESET ALL;

-- attempt: pg-a51
-- expect: blocked
-- tries: overwrite a column of a table an earlier release created, as if the table were new
-- earlier-release: expand/V0001__teams.sql
CREATE TABLE teams (id int PRIMARY KEY, name text);
INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
-- file: expand/V0101__rename_teams.sql
UPDATE teams SET name = 'x';

-- ============================================================== controls: these must pass and apply
-- attempt: pg-c01
-- expect: passes
-- tries: a nullable column
-- check: SELECT count(*) = 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'nick'
ALTER TABLE users ADD COLUMN nick text;

-- attempt: pg-c02
-- expect: passes
-- tries: a new column and its backfill in one script
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick text;
UPDATE users SET nick = name WHERE nick IS NULL;

-- attempt: pg-c03
-- expect: passes
-- tries: the backfill in a later script of the same release, in batches
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
-- file: expand/V0101__add_nick.sql
ALTER TABLE users ADD COLUMN nick text;
-- file: expand/V0102__fill_nick.sql
UPDATE users SET nick = lower(name) WHERE nick IS NULL AND id BETWEEN 1 AND 1000;
UPDATE users SET nick = lower(name) WHERE nick IS NULL;

-- attempt: pg-c04
-- expect: passes
-- tries: a backfill of a new column over every row, without a WHERE
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick text;
UPDATE users SET nick = upper(name);

-- attempt: pg-c05
-- expect: passes
-- tries: CREATE INDEX CONCURRENTLY in a script of its own
-- check: SELECT count(*) = 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'users_name_idx'
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);

-- attempt: pg-c06
-- expect: passes
-- tries: REINDEX (CONCURRENTLY) with the option spelled as a list
REINDEX (CONCURRENTLY) INDEX users_email_idx;

-- attempt: pg-c07
-- expect: passes
-- tries: REINDEX (concurrently 1)
REINDEX (concurrently 1) INDEX users_email_idx;

-- attempt: pg-c08
-- expect: passes
-- tries: REINDEX (VERBOSE false, CONCURRENTLY on)
REINDEX (VERBOSE false, CONCURRENTLY on) INDEX users_email_idx;

-- attempt: pg-c09
-- expect: passes
-- tries: a new table: fill it, update it, delete from it, truncate it
-- check: SELECT count(*) = 0 FROM scratch
CREATE TABLE scratch (id int PRIMARY KEY, v text);
INSERT INTO scratch SELECT id, name FROM users;
UPDATE scratch SET v = 'x';
DELETE FROM scratch WHERE id > 10;
TRUNCATE scratch;

-- attempt: pg-c10
-- expect: passes
-- tries: a waived trigger whose function only fills the new column
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick text;
CREATE FUNCTION fill_nick() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.nick := coalesce(NEW.nick, NEW.name);
    RETURN NEW;
END;
$$;
-- bluegreen:waive creating-trigger: only fills nick for rows the old version inserts
CREATE TRIGGER users_fill_nick BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION fill_nick();
UPDATE users SET nick = name WHERE nick IS NULL;

-- attempt: pg-c11
-- expect: passes
-- tries: an insert that keeps what is there (ON CONFLICT DO NOTHING)
-- check: SELECT count(*) = 3 FROM settings
INSERT INTO settings (k, v) VALUES ('lang', 'en'), ('mode', 'off') ON CONFLICT (k) DO NOTHING;

-- attempt: pg-c12
-- expect: passes
-- tries: a waived DO block that only creates a table when it is missing
-- check: SELECT count(*) = 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'audit'
-- bluegreen:waive unknown-do-block: creates the audit table once
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'audit') THEN CREATE TABLE audit (id int); END IF; END $$;

-- attempt: pg-c13
-- expect: passes
-- tries: a shorter lock_timeout and a constant default
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN flags int NOT NULL DEFAULT 0;

-- attempt: pg-c14
-- expect: passes
-- tries: a view, a comment and a CHECK ... NOT VALID waived because the old version complies
CREATE VIEW active_users AS SELECT id, name FROM users WHERE status = 'active';
COMMENT ON COLUMN users.name IS 'shown in the UI';
-- bluegreen:waive tightening-constraint: the old version never writes a negative total
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;

-- attempt: pg-c16
-- expect: passes
-- tries: commas inside an array literal in one sub-action
-- check: SELECT count(*) = 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'tags'
ALTER TABLE users ADD COLUMN tags text[] DEFAULT ARRAY['a', 'b'], ADD COLUMN nick text;

-- attempt: pg-c17
-- expect: passes
-- tries: a waived DO block that backfills a new column in batches
-- check: SELECT count(*) = 0 FROM users WHERE nick IS NULL
ALTER TABLE users ADD COLUMN nick text;
-- bluegreen:waive unknown-do-block: batches the backfill of nick
DO $$
DECLARE done int;
BEGIN
    LOOP
        UPDATE users SET nick = name WHERE id IN (SELECT id FROM users WHERE nick IS NULL LIMIT 10);
        GET DIAGNOSTICS done = ROW_COUNT;
        EXIT WHEN done = 0;
    END LOOP;
END $$;

-- attempt: pg-c18
-- expect: passes
-- tries: backfill of a new column on a table an earlier release created
-- check: SELECT count(*) = 0 FROM teams WHERE nick IS NULL
-- earlier-release: expand/V0001__teams.sql
CREATE TABLE teams (id int PRIMARY KEY, name text);
INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
-- file: expand/V0101__nick.sql
ALTER TABLE teams ADD COLUMN nick text;
UPDATE teams SET nick = upper(name);

-- attempt: pg-c15
-- expect: passes
-- tries: a default on an existing column and a column with now() (stable, no rewrite)
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();

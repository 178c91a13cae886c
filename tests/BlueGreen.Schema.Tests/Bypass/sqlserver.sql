-- Bypass corpus for SQL Server (T-SQL). SQL Server cannot be applied here, so each attempt is judged by
-- the expand gate alone (MigrationSet.Load + MigrationPlan, as the migrator plans it): an attack must be
-- refused, a control must pass. The header format is described in postgres.sql. The tables are the old
-- version's dbo.users (id, name, email, status), dbo.orders (id, user_id, total), dbo.settings (k, v).

-- attempt: ts-a01
-- expect: blocked
-- tries: the plain thing: DROP TABLE
DROP TABLE dbo.orders;

-- attempt: ts-a02
-- expect: blocked
-- tries: UPDATE without a WHERE
UPDATE dbo.users SET email = NULL;

-- attempt: ts-a03
-- expect: blocked
-- tries: WHERE 1 = 1
UPDATE dbo.users SET status = 'gone' WHERE 1 = 1;

-- attempt: ts-a04
-- expect: blocked
-- tries: an alias resolved through FROM, no WHERE
UPDATE u SET u.email = NULL FROM dbo.users AS u;

-- attempt: ts-a05
-- expect: blocked
-- tries: TOP with a column compared with itself
UPDATE TOP (10) dbo.users SET email = NULL WHERE id = id;

-- attempt: ts-a06
-- expect: blocked
-- tries: a keyed UPDATE of a column the old version reads
UPDATE dbo.users SET email = N'x@example.com' WHERE id > 0;

-- attempt: ts-a07
-- expect: blocked
-- tries: DELETE without a WHERE
DELETE FROM dbo.orders;

-- attempt: ts-a08
-- expect: blocked
-- tries: DELETE TOP with a constant WHERE
DELETE TOP (100) FROM dbo.orders WHERE 'a' = 'a';

-- attempt: ts-a09
-- expect: blocked
-- tries: TRUNCATE TABLE
TRUNCATE TABLE dbo.orders;

-- attempt: ts-a10
-- expect: blocked
-- tries: MERGE ... THEN UPDATE
MERGE dbo.settings AS t USING (VALUES ('mode', 'off')) AS s (k, v) ON t.k = s.k WHEN MATCHED THEN UPDATE SET t.v = s.v;

-- attempt: ts-a11
-- expect: blocked
-- tries: MERGE ... NOT MATCHED BY SOURCE THEN DELETE
MERGE dbo.orders AS t USING dbo.users AS s ON t.user_id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE;

-- attempt: ts-a12
-- expect: blocked
-- tries: UPDATE through a CTE
WITH c AS (SELECT * FROM dbo.users) UPDATE c SET email = NULL;

-- attempt: ts-a13
-- expect: blocked
-- tries: DELETE through a CTE
WITH c AS (SELECT * FROM dbo.orders WHERE total > 0) DELETE FROM c;

-- attempt: ts-a14
-- expect: blocked
-- tries: a waived trigger whose body deletes rows
-- bluegreen:waive creating-trigger: audit
CREATE TRIGGER dbo.tr_users_audit ON dbo.users AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    DELETE o FROM dbo.orders AS o JOIN inserted AS i ON i.id = o.user_id;
END;

-- attempt: ts-a15
-- expect: blocked
-- tries: a waived trigger that overwrites an old column inside IF
-- bluegreen:waive creating-trigger: sync
CREATE TRIGGER dbo.tr_users_sync ON dbo.users AFTER UPDATE AS
IF UPDATE(name)
BEGIN
    UPDATE dbo.users SET email = NULL WHERE id IN (SELECT id FROM inserted);
END;

-- attempt: ts-a16
-- expect: blocked
-- tries: DROP TABLE inside IF ... BEGIN ... END
IF 1 = 1
BEGIN
    DROP TABLE dbo.orders;
END;

-- attempt: ts-a17
-- expect: blocked
-- tries: EXEC of a literal, waived as dynamic SQL
-- bluegreen:waive unknown-dynamic-sql: reviewed
EXEC ('DROP TABLE ' + 'dbo.orders');

-- attempt: ts-a18
-- expect: blocked
-- tries: sp_executesql of a literal, waived as dynamic SQL
-- bluegreen:waive unknown-dynamic-sql: reviewed
EXEC sp_executesql N'DELETE FROM dbo.orders';

-- attempt: ts-a19
-- expect: blocked
-- tries: a procedure of this script that deletes, called with a waiver for the call
CREATE PROCEDURE dbo.cleanup AS DELETE FROM dbo.orders;
GO
-- bluegreen:waive unknown-call: reviewed
EXEC dbo.cleanup;

-- attempt: ts-a20
-- expect: blocked
-- tries: replacing a procedure the old version calls, waived as a replacement
-- bluegreen:waive replacing-definition: same parameters
CREATE OR ALTER PROCEDURE dbo.get_user @id int AS
BEGIN
    DELETE FROM dbo.orders WHERE user_id = @id;
    SELECT id, name FROM dbo.users WHERE id = @id;
END;

-- attempt: ts-a21
-- expect: blocked
-- tries: DELETE inside TRY ... CATCH
BEGIN TRY
    DELETE FROM dbo.orders WHERE total > 0;
END TRY
BEGIN CATCH
    PRINT 'failed';
END CATCH;

-- attempt: ts-a22
-- expect: blocked
-- tries: UPDATE of an old column in a WHILE loop
DECLARE @n int = 0;
WHILE @n < 10
BEGIN
    UPDATE dbo.users SET status = 'x' WHERE id = @n;
    SET @n = @n + 1;
END;

-- attempt: ts-a23
-- expect: blocked
-- tries: sp_rename of a column
EXEC sp_rename 'dbo.users.email', 'mail', 'COLUMN';

-- attempt: ts-a24
-- expect: blocked
-- tries: INSERT ... EXEC of a procedure
CREATE TABLE dbo.scratch (n int);
INSERT INTO dbo.scratch EXEC dbo.cleanup;

-- attempt: ts-a25
-- expect: blocked
-- tries: a waiver after another statement on the same line
SELECT 1; -- bluegreen:waive ban-drop-table: after a statement
DROP TABLE dbo.orders;

-- attempt: ts-a26
-- expect: blocked
-- tries: a syntax error
ALTER TABLE dbo.users DROP COLUMN email,, ADD nick int;

-- attempt: ts-a27
-- expect: blocked
-- tries: a new column and an old one in one UPDATE
ALTER TABLE dbo.users ADD nick nvarchar(40) NULL;
UPDATE dbo.users SET nick = name, email = NULL WHERE nick IS NULL;

-- ============================================================== controls: these must pass
-- attempt: ts-c01
-- expect: passes
-- tries: a nullable column
ALTER TABLE dbo.users ADD nick nvarchar(40) NULL;

-- attempt: ts-c02
-- expect: passes
-- tries: a new column and its batched backfill
ALTER TABLE dbo.users ADD nick nvarchar(40) NULL;
UPDATE TOP (1000) dbo.users SET nick = name WHERE nick IS NULL;

-- attempt: ts-c03
-- expect: passes
-- tries: an online index
CREATE INDEX ix_users_name ON dbo.users (name) WITH (ONLINE = ON);

-- attempt: ts-c04
-- expect: passes
-- tries: a new table: fill, update, delete, truncate
CREATE TABLE dbo.scratch (id int PRIMARY KEY, v nvarchar(10));
INSERT INTO dbo.scratch (id, v) SELECT id, name FROM dbo.users;
UPDATE dbo.scratch SET v = N'x';
DELETE FROM dbo.scratch WHERE id > 10;
TRUNCATE TABLE dbo.scratch;

-- attempt: ts-c05
-- expect: passes
-- tries: a MERGE that only inserts
MERGE dbo.settings AS t USING (VALUES ('lang', 'en')) AS s (k, v) ON t.k = s.k WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.v);

-- attempt: ts-c06
-- expect: passes
-- tries: a waived trigger that only fills the new column
ALTER TABLE dbo.users ADD nick nvarchar(40) NULL;
GO
-- bluegreen:waive creating-trigger: only fills nick for rows the old version inserts
CREATE TRIGGER dbo.tr_users_nick ON dbo.users AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    UPDATE u SET u.nick = i.name FROM dbo.users AS u JOIN inserted AS i ON i.id = u.id;
END;

-- attempt: ts-c07
-- expect: passes
-- tries: a table created only when missing, inside IF
IF OBJECT_ID('dbo.audit') IS NULL
BEGIN
    CREATE TABLE dbo.audit (id int);
END;

-- attempt: ts-c08
-- expect: passes
-- tries: an insert of new rows and a view
INSERT INTO dbo.settings (k, v) VALUES ('lang', 'en');
GO
CREATE VIEW dbo.active_users AS SELECT id, name FROM dbo.users WHERE status = 'active';

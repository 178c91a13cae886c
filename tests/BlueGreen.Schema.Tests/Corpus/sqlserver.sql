-- Classification corpus for SQL Server (parsed by ScriptDom): "-- expect: <kind> [rule ...]" before each statement.

-- expect: additive
CREATE TABLE dbo.accounts (id int IDENTITY(1,1) PRIMARY KEY, name nvarchar(100) NOT NULL, email nvarchar(200) NOT NULL);
-- expect: additive
CREATE TABLE [Order Lines] ([Id;] int NOT NULL, [Qty] int NULL, note nvarchar(20) DEFAULT N'a;b');
-- expect: additive
CREATE TABLE #scratch (k nvarchar(10));
-- expect: additive
ALTER TABLE dbo.accounts ADD nickname nvarchar(40) NOT NULL;
-- expect: additive
CREATE UNIQUE INDEX accounts_email ON dbo.accounts (email);
-- expect: additive
ALTER TABLE dbo.users ADD display_name nvarchar(100) NULL;
-- expect: additive
ALTER TABLE dbo.users ADD middle_name nvarchar(100);
-- expect: additive
ALTER TABLE dbo.users ADD status varchar(20) NOT NULL CONSTRAINT df_users_status DEFAULT 'active';
-- expect: additive
ALTER TABLE dbo.users ADD created_at datetime2 NOT NULL DEFAULT SYSUTCDATETIME();
-- expect: additive
ALTER TABLE dbo.users ADD a int NULL, b int NULL;
-- expect: additive
ALTER TABLE dbo.users ADD full_name AS (first_name + ' ' + last_name);
-- expect: additive adding-field-with-default
ALTER TABLE dbo.users ADD full_name2 AS (first_name + ' ' + last_name) PERSISTED;
-- expect: additive adding-field-with-default
ALTER TABLE dbo.users ADD seq int IDENTITY(1,1);
-- expect: tightening adding-required-field
ALTER TABLE dbo.users ADD tenant_id int NOT NULL;
-- expect: tightening adding-required-field
ALTER TABLE dbo.users ADD x int NULL, y int NOT NULL;
-- expect: additive disallowed-unique-constraint
ALTER TABLE dbo.users ADD handle nvarchar(50) NULL UNIQUE;
-- expect: additive adding-foreign-key-constraint
ALTER TABLE dbo.users ADD team_id int NULL REFERENCES dbo.teams (id);
-- expect: tightening constraint-missing-not-valid
ALTER TABLE dbo.users ADD CONSTRAINT ck_users_name CHECK (LEN(name) < 200);
-- expect: tightening tightening-constraint
ALTER TABLE dbo.users WITH NOCHECK ADD CONSTRAINT ck_users_display CHECK (display_name IS NOT NULL);
-- expect: tightening adding-foreign-key-constraint
ALTER TABLE dbo.orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES dbo.users (id);
-- expect: tightening tightening-constraint
ALTER TABLE dbo.orders WITH NOCHECK ADD CONSTRAINT fk_orders_users2 FOREIGN KEY (user_id) REFERENCES dbo.users (id);
-- expect: tightening disallowed-unique-constraint
ALTER TABLE dbo.users ADD CONSTRAINT uq_users_email UNIQUE (email);
-- expect: tightening disallowed-unique-constraint
ALTER TABLE dbo.events ADD CONSTRAINT pk_events PRIMARY KEY CLUSTERED (id);
-- expect: additive
ALTER TABLE dbo.users ADD CONSTRAINT df_users_score DEFAULT 0 FOR score;
-- expect: tightening tightening-constraint
ALTER TABLE dbo.users CHECK CONSTRAINT ck_users_name;
-- expect: additive
ALTER TABLE dbo.users NOCHECK CONSTRAINT ck_users_name;
-- expect: destructive ban-drop-column
ALTER TABLE dbo.users DROP COLUMN email;
-- expect: destructive ban-drop-column
ALTER TABLE dbo.users DROP COLUMN IF EXISTS legacy, other_legacy;
-- expect: destructive dropping-constraint
ALTER TABLE dbo.users DROP CONSTRAINT ck_users_name;
-- expect: destructive changing-column-type
ALTER TABLE dbo.users ALTER COLUMN name nvarchar(300) NULL;
-- expect: destructive changing-column-type adding-not-nullable-field
ALTER TABLE dbo.users ALTER COLUMN display_name nvarchar(100) NOT NULL;
-- expect: destructive renaming-column
EXEC sp_rename 'dbo.users.name', 'full_name', 'COLUMN';
-- expect: destructive renaming-table
EXEC sp_rename 'dbo.users', 'people';
-- expect: destructive renaming-object
EXECUTE sp_rename N'dbo.users.ix_old', N'ix_new', N'INDEX';
-- expect: destructive ban-drop-column unknown-dynamic-sql
EXEC sp_executesql N'ALTER TABLE dbo.users DROP COLUMN email';
-- expect: destructive ban-drop-table unknown-dynamic-sql
EXEC ('DROP TABLE dbo.users');
-- expect: unknown unknown-call
EXEC dbo.archive_old_rows @days = 30;
-- expect: additive require-online-index-creation
CREATE INDEX ix_users_status ON dbo.users (status);
-- expect: additive
CREATE NONCLUSTERED INDEX ix_users_created ON dbo.users (created_at) INCLUDE (name) WITH (ONLINE = ON);
-- expect: tightening require-online-index-creation tightening-constraint
CREATE UNIQUE INDEX ix_users_email ON dbo.users (email);
-- expect: tightening tightening-constraint
CREATE UNIQUE NONCLUSTERED INDEX ix_users_handle ON dbo.users (handle) WHERE handle IS NOT NULL WITH (ONLINE = ON);
-- expect: destructive dropping-object
DROP INDEX ix_users_status ON dbo.users;
-- expect: destructive ban-drop-table
DROP TABLE dbo.legacy_sessions;
-- expect: destructive ban-drop-table
DROP TABLE IF EXISTS dbo.a, dbo.b;
-- expect: destructive dropping-object
DROP VIEW dbo.active_users;
-- expect: destructive dropping-object
DROP PROCEDURE dbo.archive_old_rows;
-- expect: destructive dropping-object
DROP FUNCTION dbo.fn_x;
-- expect: destructive dropping-object
DROP SEQUENCE dbo.invoice_numbers;
-- expect: destructive dropping-object
DROP TRIGGER dbo.tr_users_sync;
-- expect: destructive ban-drop-database
DROP DATABASE app;
GO
-- expect: additive
CREATE VIEW dbo.active_users AS SELECT id, name FROM dbo.users WHERE status = 'active';
GO
-- expect: unknown replacing-definition
CREATE OR ALTER VIEW dbo.active_users AS SELECT id, name, email FROM dbo.users;
GO
-- expect: unknown replacing-definition
ALTER VIEW dbo.active_users AS SELECT id FROM dbo.users;
GO
-- A procedure body holds statements of its own; they belong to the CREATE PROCEDURE.
-- expect: additive
CREATE PROCEDURE dbo.touch @id int AS
BEGIN
    SET NOCOUNT ON;
    UPDATE dbo.users SET updated_at = SYSUTCDATETIME() WHERE id = @id;
    DELETE FROM dbo.sessions WHERE user_id = @id; -- inside the body
END;
GO
-- expect: unknown replacing-definition
CREATE OR ALTER PROCEDURE dbo.touch @id int AS SELECT 1;
GO
-- expect: unknown replacing-definition
ALTER PROCEDURE dbo.touch @id int AS SELECT 2;
GO
-- expect: additive
CREATE FUNCTION dbo.fn_x (@a int) RETURNS int AS BEGIN RETURN @a + 1; END;
GO
-- expect: unknown replacing-definition
ALTER FUNCTION dbo.fn_x (@a int) RETURNS int AS BEGIN RETURN @a + 2; END;
GO
-- expect: unknown creating-trigger
CREATE TRIGGER dbo.tr_users_sync ON dbo.users AFTER INSERT, UPDATE AS
BEGIN
    UPDATE u SET full_name = i.name FROM dbo.users u JOIN inserted i ON i.id = u.id;
END;
GO
-- expect: additive
CREATE SCHEMA reporting;
GO
-- expect: additive
CREATE SEQUENCE dbo.invoice_numbers START WITH 1000 INCREMENT BY 1;
-- expect: additive
CREATE TYPE dbo.Mood FROM nvarchar(10) NOT NULL;
-- expect: additive
CREATE STATISTICS st_users_name ON dbo.users (name);
-- expect: additive
CREATE SYNONYM dbo.people FOR dbo.users;
-- expect: additive
INSERT INTO dbo.users (name, email) VALUES (N'O''Brien; Jr.', 'a@b.c');
-- expect: additive
UPDATE dbo.users SET display_name = name WHERE display_name IS NULL;
-- expect: additive
UPDATE TOP (1000) dbo.users SET status = 'x' WHERE status IS NULL;
-- expect: destructive deleting-rows
DELETE FROM dbo.sessions WHERE expires_at < SYSUTCDATETIME();
-- expect: destructive ban-truncate
TRUNCATE TABLE dbo.sessions;
-- expect: destructive deleting-rows overwriting-rows
MERGE dbo.users AS t USING dbo.staging AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.name = s.name WHEN NOT MATCHED BY SOURCE THEN DELETE;
-- expect: additive
MERGE dbo.users AS t USING dbo.staging AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name);
-- expect: additive
SELECT 1 /* inline; comment */ + 2;
-- expect: additive
SELECT [select].[from] FROM (SELECT 1 AS [from]) AS [select];
-- expect: additive
SET NOCOUNT ON;
-- expect: additive
SET XACT_ABORT ON;
-- expect: additive
DECLARE @n int = 0;
-- expect: additive
SET @n = @n + 1;
-- expect: additive
PRINT 'done; really';
-- expect: additive
GRANT SELECT ON dbo.users TO reporting;
-- expect: tightening revoking-privileges
REVOKE INSERT ON dbo.users FROM app;
-- expect: tightening revoking-privileges
DENY DELETE ON dbo.users TO app;
-- expect: unknown transaction-nesting
BEGIN TRANSACTION;
-- expect: unknown transaction-nesting
COMMIT TRANSACTION;
-- expect: unknown transaction-nesting
ROLLBACK;
-- expect: unknown transaction-nesting
SAVE TRANSACTION before_change;
-- expect: additive
UPDATE STATISTICS dbo.users;
-- expect: unknown unknown-statement
ALTER INDEX ix_users_status ON dbo.users REBUILD;
-- expect: unknown unknown-statement
ALTER TABLE dbo.users REBUILD;
-- expect: additive
SELECT 'it''s -- not a comment /* nor this */' AS s;

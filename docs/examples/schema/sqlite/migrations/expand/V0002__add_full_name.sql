-- Renaming name to full_name, the blue/green way: add, sync, backfill; drop the old name in contract.
ALTER TABLE users ADD COLUMN full_name TEXT;

-- bluegreen:waive creating-trigger: copies name into full_name for rows version 1 inserts; it never rejects a write
CREATE TRIGGER users_copy_name AFTER INSERT ON users WHEN NEW.full_name IS NULL
BEGIN
    UPDATE users SET full_name = NEW.name WHERE id = NEW.id;
END;

UPDATE users SET full_name = name WHERE full_name IS NULL;
CREATE INDEX users_full_name ON users (full_name);

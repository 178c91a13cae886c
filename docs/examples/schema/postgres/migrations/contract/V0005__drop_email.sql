-- Version 1 is gone for good: finish the change.
DROP TRIGGER users_fill_display_name ON users;
DROP FUNCTION users_fill_display_name();
ALTER TABLE users DROP COLUMN email;
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;

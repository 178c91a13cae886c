-- Version 1 is gone for good: finish the rename.
DROP TRIGGER users_copy_name;
ALTER TABLE users DROP COLUMN name;

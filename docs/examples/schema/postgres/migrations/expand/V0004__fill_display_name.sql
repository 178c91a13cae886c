CREATE FUNCTION users_fill_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Version 1 never writes display_name; fill it so version 2 can read every row.
    NEW.display_name := coalesce(NEW.display_name, NEW.name);
    RETURN NEW;
END;
$$;

-- bluegreen:waive creating-trigger: only fills display_name for rows version 1 inserts; it never rejects a write
CREATE TRIGGER users_fill_display_name BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION users_fill_display_name();

UPDATE users SET display_name = name WHERE display_name IS NULL;

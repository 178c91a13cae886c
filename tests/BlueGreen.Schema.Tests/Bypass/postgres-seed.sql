-- What the old version runs on: the bypass corpus checks that these tables, columns and rows survive expand.
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, status text NOT NULL DEFAULT 'active', updated_at timestamptz);
CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE, total numeric(10,2) NOT NULL);
CREATE TABLE settings (k text PRIMARY KEY, v text NOT NULL);
CREATE INDEX users_email_idx ON users (email);
INSERT INTO users (id, name, email) SELECT g, 'user' || g, 'u' || g || '@example.com' FROM generate_series(1, 50) g;
INSERT INTO orders SELECT g, 1 + g % 50, g * 1.5 FROM generate_series(1, 100) g;
INSERT INTO settings VALUES ('mode', 'live'), ('theme', 'dark');
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2020-01-01'; RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE OF name, email, status ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Version 2 stops writing email, so it must become optional now; dropping it waits for contract.
ALTER TABLE users ADD COLUMN display_name text;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
CREATE TABLE user_logins (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    at timestamptz NOT NULL DEFAULT now()
);

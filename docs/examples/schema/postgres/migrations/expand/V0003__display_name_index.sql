-- Runs outside a transaction; a failed build's INVALID index is dropped before a retry.
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);

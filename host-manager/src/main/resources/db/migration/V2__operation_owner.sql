-- which server runs an operation: a restarted or surviving server rolls back only the operations of
-- servers that are gone (several servers may share a PostgreSQL store)
ALTER TABLE operations ADD COLUMN owner VARCHAR(64);

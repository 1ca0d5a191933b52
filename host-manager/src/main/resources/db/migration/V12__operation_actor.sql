-- who started an operation: the name of the API token that asked for it ('admin' for the bootstrap token),
-- null for what the plane starts itself (a failover, a member rejoining, the undo of a failed restore)
ALTER TABLE operations ADD COLUMN actor VARCHAR(64);

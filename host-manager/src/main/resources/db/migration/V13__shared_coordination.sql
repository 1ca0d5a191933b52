-- Several servers sharing one store coordinate through it.

-- A cancel asked on any server: the server that runs the operation reads the flag between its steps
-- (a flag in memory reached only the server that took the request).
ALTER TABLE operations ADD COLUMN cancel_requested BOOLEAN DEFAULT FALSE NOT NULL;

-- One row that every event writer locks for the rest of its transaction, so that events commit in the
-- order of their ids: PostgreSQL hands out identity values before commit, and two servers' commits could
-- otherwise cross, leaving a reader that has seen id N to find a smaller id committed later (a gap it
-- would never fill).
CREATE TABLE event_writer (
  id INT PRIMARY KEY
);
INSERT INTO event_writer (id) VALUES (1);

-- Several servers sharing one store: who is there, who leads, and one placement at a time.

-- One row per running server, beaten every second: a row that has not beaten for a few seconds is a server
-- that is gone (its operations are recovered). Times are the database's own clock, with their zone, so that
-- servers whose clocks or zones differ compare them alike.
CREATE TABLE servers (
  id        VARCHAR(64) PRIMARY KEY,
  name      VARCHAR(256) NOT NULL,
  started   TIMESTAMP WITH TIME ZONE NOT NULL,
  heartbeat TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The lease of background work (health, probes, failover, recovery): one row. Whoever holds it unexpired
-- leads; a new holder raises the epoch, and the holder's renewals and background actions are conditional on
-- the epoch it got, so that a server that lost the lease (a pause, a cut connection) cannot act on it.
CREATE TABLE leader_lease (
  id      INT PRIMARY KEY,
  holder  VARCHAR(64),
  epoch   BIGINT NOT NULL,
  expires TIMESTAMP WITH TIME ZONE
);
INSERT INTO leader_lease (id, holder, epoch, expires) VALUES (1, NULL, 0, NULL);

-- One row that whoever places members locks for the whole decide-and-reserve step, so that two servers
-- never both count the same free room of a host (a lock in one process reached only its own requests).
CREATE TABLE placement_lock (
  id INT PRIMARY KEY
);
INSERT INTO placement_lock (id) VALUES (1);


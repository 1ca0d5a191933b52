-- An app moving to another datacenter: one row per member (holder = member name) and per service address
-- (holder = '@app/service'). Before the switch the rows say where each part goes (capacity and addresses
-- reserved there); the switch flips members, services and the app to the target in one transaction and
-- sets switched; after it the rows say what is left to clean at the source. The rows go when the move ends.
CREATE TABLE moves (
  holder VARCHAR(160) PRIMARY KEY,
  app VARCHAR(63) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  from_datacenter VARCHAR(63) NOT NULL,
  to_datacenter VARCHAR(63) NOT NULL,
  from_host VARCHAR(63),
  from_address VARCHAR(15),
  to_host VARCHAR(63),
  to_address VARCHAR(15),
  switched BOOLEAN DEFAULT FALSE NOT NULL
);
CREATE INDEX moves_app ON moves (app);

-- roles: a service's own address (follows its primary), the operation changing its shape (a conversion,
-- a promotion, a failover: one at a time, on any server), and what its members declared in their plan hook
ALTER TABLE services ADD COLUMN address VARCHAR(15);
ALTER TABLE services ADD COLUMN operation_id VARCHAR(64);
ALTER TABLE services ADD COLUMN plan VARCHAR(100000);
-- a service address is held by '@app/service', which is longer than a member's name
ALTER TABLE ip_allocations ALTER COLUMN member SET DATA TYPE VARCHAR(160);

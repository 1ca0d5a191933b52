-- a service's own lifecycle (conversions, promotions and moves change it); existing services are ready
ALTER TABLE services ADD COLUMN state VARCHAR(16) DEFAULT 'ready' NOT NULL;

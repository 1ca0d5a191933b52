-- service discovery: the services of the same app whose addresses and secrets a service's hooks receive
-- (a JSON list of names, '[]' for none)
ALTER TABLE services ADD COLUMN depends_on VARCHAR(4000) DEFAULT '[]' NOT NULL;

-- The identity a host proved at registration (an HTTPS LXD server's SHA-256 certificate fingerprint):
-- every later connection must present it again. Null for transports with nothing to pin.
ALTER TABLE hosts ADD COLUMN fingerprint VARCHAR(128);

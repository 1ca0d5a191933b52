-- backups of a service's data (archives made by its template's export hooks, kept in the server's backup
-- directory as ID.tar.gz). Keyed by app and service name, not by the app row: a backup outlives its app.
CREATE TABLE backups (
  id           VARCHAR(64) PRIMARY KEY,
  app          VARCHAR(64) NOT NULL,
  service      VARCHAR(64) NOT NULL,
  template     VARCHAR(64) NOT NULL,
  topology     VARCHAR(32) NOT NULL,
  config       VARCHAR(1000000) NOT NULL,
  created      TIMESTAMP NOT NULL,
  bytes        BIGINT NOT NULL,
  sha256       VARCHAR(64) NOT NULL,
  operation_id VARCHAR(64) NOT NULL
);
CREATE INDEX backups_service ON backups(app, service);

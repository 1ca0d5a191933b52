package dev.cadre.manager.ipam;

import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;

/** {@link IpamConcurrencyIT} on PostgreSQL: the unique constraint, not luck, keeps addresses apart there too. */
class PostgresIpamConcurrencyIT extends IpamConcurrencyIT {
  @Override
  TestDatabase database(Path dir) {
    return TestDatabase.postgres();
  }
}

package dev.cadre.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cadre serve} processes on one fresh PostgreSQL schema (skipped when no PostgreSQL is configured),
 * each on its own data dir under {@code dir}; closing stops them all and drops the schema.
 */
final class ServerGroup implements AutoCloseable {
  private final Path dir;
  final PostgresSchema schema;
  private final List<ServerProcess> servers = new ArrayList<>();

  ServerGroup(Path dir) throws Exception {
    this.dir = dir;
    this.schema = PostgresSchema.create();
  }

  /** A server on the data dir {@code name} (a name used again reopens that dir), its log numbered apart. */
  ServerProcess start(String name) throws Exception {
    ServerProcess s = ServerProcess.start(dir.resolve(name), dir.resolve(name + "-" + servers.size() + ".log"),
        "--store", schema.storeUrl());
    servers.add(s);
    return s;
  }

  @Override
  public void close() throws Exception {
    for (ServerProcess s : servers) {
      s.close();
    }
    schema.drop();
  }
}

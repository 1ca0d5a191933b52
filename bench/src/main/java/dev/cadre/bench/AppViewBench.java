package dev.cadre.bench;

import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.store.JdbcStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * How long the control plane takes to read one app ({@code CadreControlPlane.app}, what
 * {@code GET /v1/apps/{app}} serves), by the app's size, on the embedded store and, when
 * {@code CADRE_PG_URL} is set, on PostgreSQL. One thread reads back to back, so reads/s is the
 * inverse of the mean latency, not the server's capacity (bench/run-read measures that over HTTP).
 * Each size gets a store of its own, seeded by {@link ReadSeed}; its host is unreachable, so the
 * plane's background round touches no member.
 *
 * <p>Usage: {@code AppViewBench MEMBERS[,MEMBERS...] READS}
 */
public final class AppViewBench {
  /** Enough reads for the JIT to compile the read path before the first timed one. */
  private static final int WARM_UP = 1000;

  private record Row(String store, int members, Samples samples, double readsPerSecond) {}

  public static void main(String[] args) throws Exception {
    int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100,1000").split(",")).mapToInt(Integer::parseInt).toArray();
    int reads = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    List<Row> rows = new ArrayList<>();
    for (int members : sizes) {
      rows.add(onEmbedded(members, reads));
    }
    String pg = System.getenv("CADRE_PG_URL");
    if (pg != null && !pg.isBlank()) {
      for (int members : sizes) {
        rows.add(onPostgres(pg, members, reads));
      }
    }
    System.out.printf("%nCadreControlPlane.app(name), %d reads after %d warm-up, one thread, %d cores%n", reads,
        WARM_UP, Runtime.getRuntime().availableProcessors());
    System.out.printf("%-12s %8s %10s %10s %10s%n", "store", "members", "p50", "p99", "reads/s");
    for (Row r : rows) {
      System.out.printf("%-12s %8d %8.2fms %8.2fms %10.0f%n", r.store(), r.members(), r.samples().median(),
          r.samples().percentile(99), r.readsPerSecond());
    }
    if (pg == null || pg.isBlank()) {
      System.out.println("postgresql: not measured; set CADRE_PG_URL (scripts/postgres up; scripts/postgres env)");
    }
  }

  private static Row onEmbedded(int members, int reads) throws IOException {
    Path dir = Files.createTempDirectory("cadre-app-view");
    try {
      try (JdbcStore store = JdbcStore.embedded(dir, 2)) {
        ReadSeed.seed(store, members);
      }
      return measure("h2", members, reads, ControlPlaneConfig.defaults(dir, List.of()));
    } finally {
      deleteTree(dir);
    }
  }

  /** On a schema of its own, dropped afterwards, so the bench leaves the database as it found it. */
  private static Row onPostgres(String serverUrl, int members, int reads) throws IOException, SQLException {
    String user = System.getenv("CADRE_PG_USER");
    String password = System.getenv("CADRE_PG_PASSWORD");
    // lower case letters and digits only: the name goes into SQL and a URL unquoted
    String schema = "cadre_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    execute(serverUrl, user, password, "CREATE SCHEMA " + schema);
    Path dir = Files.createTempDirectory("cadre-app-view");
    try {
      try (JdbcStore store = JdbcStore.open(url, user, password, 2)) {
        ReadSeed.seed(store, members);
      }
      // the plane opens its store from the URL alone: the credentials ride in it
      String withCredentials = url + param("user", user) + param("password", password);
      return measure("postgresql", members, reads, ControlPlaneConfig.defaults(dir, List.of()).withJdbcUrl(withCredentials));
    } finally {
      execute(serverUrl, user, password, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      deleteTree(dir);
    }
  }

  private static Row measure(String storeName, int members, int reads, ControlPlaneConfig config) {
    try (CadreControlPlane plane = CadreControlPlane.open(config)) {
      for (int i = 0; i < WARM_UP; i++) {
        requireComplete(plane.app(ReadSeed.APP), members);
      }
      Samples samples = new Samples(storeName + " " + members);
      long total = 0;
      for (int i = 0; i < reads; i++) {
        long t0 = System.nanoTime();
        AppView app = plane.app(ReadSeed.APP);
        long took = System.nanoTime() - t0;
        samples.add(took);
        total += took;
        // outside the timed part: a fast read of the wrong thing would be no figure at all
        requireComplete(app, members);
      }
      return new Row(storeName, members, samples, reads / (total / 1e9));
    }
  }

  private static void requireComplete(AppView app, int members) {
    int seen = app.services().stream().mapToInt(s -> s.members().size()).sum();
    if (seen != members) {
      throw new IllegalStateException("read " + seen + " members of " + members);
    }
  }

  private static String param(String name, String value) {
    return value == null || value.isBlank() ? "" : "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void execute(String url, String user, String password, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

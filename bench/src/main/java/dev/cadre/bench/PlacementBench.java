package dev.cadre.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Placement throughput of two servers against one (issue 13): {@link BenchServer} processes (each its own JVM,
 * store pool and REST server, over the same {@link FakeHosts}) on one PostgreSQL schema, clients creating apps
 * through all of them at once; then the same load through one server alone, on a fresh schema. Prints apps/s
 * (requests answered: placed and stored) and members/s (until every operation ended) for each, and the ratio.
 *
 * <p>Usage: {@code PlacementBench [APPS] [MEMBERS_PER_APP] [CLIENTS]}; needs {@code CADRE_PG_URL}.
 */
public final class PlacementBench {
  private record Row(int servers, int apps, int members, double appsPerSecond, double membersPerSecond,
      Samples posts, int failed, LockWaits placementWaits, LockWaits eventWaits) {}

  /**
   * How many of the servers' backends wait for a row lock, sampled every 20 ms while the apps are created: on
   * the placement lock, and on the event lock (every event takes it, so that ids commit in order).
   */
  private static final class LockWaits {
    private long samples;
    private long waiting;
    private long busy;

    synchronized void add(int n) {
      samples++;
      waiting += n;
      busy += n > 0 ? 1 : 0;
    }

    synchronized String describe() {
      return samples == 0 ? "-" : String.format("%.2f (%.0f%%)", (double) waiting / samples, 100.0 * busy / samples);
    }
  }

  public static void main(String[] args) throws Exception {
    int apps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int perApp = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    if (!PgSchema.configured()) {
      throw new IllegalStateException("set CADRE_PG_URL, CADRE_PG_USER, CADRE_PG_PASSWORD (scripts/postgres env)");
    }
    List<Row> rows = new ArrayList<>();
    for (int servers : new int[] {1, 2}) {
      rows.add(run(servers, apps, perApp, clients));
    }
    System.out.printf("%n%d apps of %d busybox members, %d clients, %d in-memory hosts in %d datacenters, one"
        + " PostgreSQL schema per row%n%n", apps, perApp, clients, ScaleBench.HOSTS, ScaleBench.DATACENTERS);
    System.out.println("| servers | apps/s | members/s | POST p50 / p99 ms | waiting for the placement lock |"
        + " waiting for the event lock | failed |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf("| %d | %.1f | %.1f | %.1f / %.1f | %s | %s | %d |%n", r.servers(), r.appsPerSecond(),
          r.membersPerSecond(), r.posts().median(), r.posts().percentile(99), r.placementWaits().describe(),
          r.eventWaits().describe(), r.failed());
    }
    System.out.println("(lock columns: backends waiting on average while the apps were created, and the share of"
        + " samples with at least one waiting; one server queues its own placements in the JVM before the database)");
    Row one = rows.get(0);
    Row two = rows.get(1);
    System.out.printf("%ntwo servers against one: apps/s x%.2f, members/s x%.2f (target: at least x1.5)%n",
        two.appsPerSecond() / one.appsPerSecond(), two.membersPerSecond() / one.membersPerSecond());
  }

  private static void sampleLocks(PgSchema schema, java.util.concurrent.atomic.AtomicBoolean creating,
      LockWaits placement, LockWaits events) {
    String sql = "SELECT count(*) FILTER (WHERE query LIKE '%placement_lock%'), count(*) FILTER (WHERE query LIKE"
        + " '%event_writer%') FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
    try (java.sql.Connection c = schema.connect(); java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      while (creating.get()) {
        try (java.sql.ResultSet r = ps.executeQuery()) {
          r.next();
          placement.add(r.getInt(1));
          events.add(r.getInt(2));
        }
        Thread.sleep(20);
      }
    } catch (java.sql.SQLException | InterruptedException e) {
      System.err.println("lock sampler: " + e);
    }
  }

  private static Row run(int servers, int apps, int perApp, int clients) throws Exception {
    Path dir = Files.createTempDirectory("cadre-placement");
    List<Process> processes = new ArrayList<>();
    try (PgSchema schema = PgSchema.fromEnvironment()) {
      List<ApiClient> apis = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
            BenchServer.class.getName(), dir.resolve("server" + i).toString(), schema.storeUrl(),
            Integer.toString(ScaleBench.HOSTS), Integer.toString(ScaleBench.DATACENTERS))
            .redirectError(dir.resolve("server" + i + ".log").toFile()).start();
        processes.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (line == null || !line.startsWith("listening ")) {
          throw new IllegalStateException("server " + i + " did not start: " + Files.readString(dir.resolve("server" + i + ".log")));
        }
        String[] words = line.split(" ");
        apis.add(new ApiClient("http://127.0.0.1:" + words[1], words[2]));
      }
      FakeHosts hosts = new FakeHosts(ScaleBench.HOSTS, ScaleBench.DATACENTERS);
      ScaleBench.parallel(clients, hosts.layout().size(), i -> {
        String end = apis.get(0).await(apis.get(0).registerHost(hosts.layout().get(i)));
        if (!end.equals("success")) {
          throw new IllegalStateException("registering " + hosts.layout().get(i).name() + ": " + end);
        }
      });
      System.err.printf("%d server(s): %d hosts registered%n", servers, ScaleBench.HOSTS);
      Samples posts = new Samples("POST /v1/apps");
      LockWaits placementWaits = new LockWaits();
      LockWaits eventWaits = new LockWaits();
      var creating = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread sampler = ScaleBench.started("lock-sampler", () -> sampleLocks(schema, creating, placementWaits, eventWaits));
      List<String[]> operations = Collections.synchronizedList(new ArrayList<>()); // {server, id}
      AtomicLong lastAnswer = new AtomicLong();
      long start = System.nanoTime();
      // client c talks to server c % servers: the load is split evenly
      AtomicInteger next = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
      for (int c = 0; c < clients; c++) {
        int server = c % servers;
        threads.add(ScaleBench.started("client-" + c, () -> {
          try {
            for (int i = next.getAndIncrement(); i < apps && errors.isEmpty(); i = next.getAndIncrement()) {
              long t = System.nanoTime();
              String op = apis.get(server).createApp("app" + (i + 1), "dc" + (i % ScaleBench.DATACENTERS + 1), perApp);
              long now = System.nanoTime();
              posts.add(now - t);
              lastAnswer.accumulateAndGet(now, Math::max);
              operations.add(new String[] {Integer.toString(server), op});
            }
          } catch (Exception e) {
            errors.add(e);
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      creating.set(false);
      sampler.join();
      if (!errors.isEmpty()) {
        throw errors.get(0);
      }
      AtomicInteger failed = new AtomicInteger();
      ScaleBench.parallel(clients, operations.size(), i -> {
        String[] op = operations.get(i);
        String end = apis.get(Integer.parseInt(op[0])).await(op[1]);
        if (!end.equals("success")) {
          failed.incrementAndGet();
          System.err.println("operation " + op[1] + ": " + end);
        }
      });
      long done = System.nanoTime();
      Row row = new Row(servers, apps, apps * perApp, apps / ScaleBench.seconds(lastAnswer.get() - start),
          apps * perApp / ScaleBench.seconds(done - start), posts, failed.get(), placementWaits, eventWaits);
      System.err.printf("%d server(s): %.1f apps/s, %.1f members/s%n", servers, row.appsPerSecond(), row.membersPerSecond());
      return row;
    } finally {
      for (Process p : processes) {
        p.getOutputStream().close(); // the end of its stdin stops it
      }
      for (Process p : processes) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      ScaleBench.deleteTree(dir);
    }
  }
}

package dev.cadre.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The control plane at the size of a fleet: 1,000 in-memory hosts in 10 datacenters, members provisioned
 * through the REST API of the real server (apps of {@value #PER_APP} busybox members: services of 6 and 4)
 * up to each step of MEMBERS, on the embedded store and, with {@code CADRE_PG_URL}, on PostgreSQL. Per step,
 * over the members it adds:
 * <ul>
 *   <li>placements/s: members in the apps whose {@code POST /v1/apps} was answered (placed and stored), over the
 *       time from the step's first request to its last answer, {@value #CLIENTS} clients at once;</li>
 *   <li>allocations/s: member addresses the operations allocated, over the time from the step's first to its
 *       last allocation (the plane's address count, read every 50 ms);</li>
 *   <li>running/s: the same members over the time until every operation of the step ended;</li>
 *   <li>p50/p99 of {@code GET /v1/apps/{app}} (a random app made so far) and {@code GET /v1/apps} (the first
 *       page) read back to back by one client while the step's load runs;</li>
 *   <li>heap used after the step, after a full GC (the in-memory hosts included, this JVM runs them).</li>
 * </ul>
 * <p>Usage: {@code ScaleBench [MEMBERS,...] [h2|postgresql]} (default 1000,2500,5000,10000 on h2).
 */
public final class ScaleBench {
  static final int HOSTS = 1000;
  static final int DATACENTERS = 10;
  static final int PER_APP = 10;
  static final int CLIENTS = 8;

  private record Step(int members, int added, double placementsPerSecond, double allocationsPerSecond,
      double runningPerSecond, Samples appReads, Samples listReads, Samples posts, double heapMiB, int failed) {}

  public static void main(String[] args) throws Exception {
    int[] steps = Arrays.stream((args.length > 0 ? args[0] : "1000,2500,5000,10000").split(","))
        .mapToInt(Integer::parseInt).toArray();
    String store = args.length > 1 ? args[1] : "h2";
    if (store.equals("postgresql")) {
      if (!PgSchema.configured()) {
        System.out.println("postgresql: not measured; set CADRE_PG_URL (scripts/postgres up; scripts/postgres env)");
        return;
      }
      try (PgSchema schema = PgSchema.fromEnvironment()) {
        onStore(store, schema.storeUrl(), steps);
      }
    } else {
      onStore(store, null, steps);
    }
    // a close that hangs (see onStore) must not hold the next store's run
    System.exit(0);
  }

  /** Prints the store's table as soon as the last step ends, then closes the server (within a bound). */
  private static void onStore(String store, String jdbcUrl, int[] steps) throws Exception {
    Path dir = Files.createTempDirectory("cadre-scale");
    FakeHosts hosts = new FakeHosts(HOSTS, DATACENTERS);
    List<Step> rows = new ArrayList<>();
    BenchServer server = BenchServer.start(dir, jdbcUrl, hosts);
    try {
      ApiClient api = server.client();
      long t0 = System.nanoTime();
      parallel(CLIENTS, hosts.layout().size(), i -> {
        String op = api.registerHost(hosts.layout().get(i));
        String end = api.await(op);
        if (!end.equals("success")) {
          throw new IllegalStateException("registering " + hosts.layout().get(i).name() + ": " + end);
        }
      });
      double hostsPerSecond = hosts.layout().size() / seconds(System.nanoTime() - t0);
      double heapEmpty = heapAfterGc();
      System.err.printf("%s: %d hosts registered, %.0f/s, heap %.1f MiB%n", store, HOSTS, hostsPerSecond, heapEmpty);
      List<String> apps = new CopyOnWriteArrayList<>();
      int members = 0;
      for (int target : steps) {
        Step s = step(server, api, apps, members, target);
        members = s.members();
        rows.add(s);
        System.err.printf("%s: %d members, %.0f placements/s, %.0f allocations/s, %.0f running/s, heap %.1f MiB%n",
            store, members, s.placementsPerSecond(), s.allocationsPerSecond(), s.runningPerSecond(), s.heapMiB());
      }
      System.out.println();
      table(store, hostsPerSecond, heapEmpty, rows).forEach(System.out::println);
      if (jdbcUrl == null) {
        System.out.printf("embedded store file: %.0f MiB%n%n", Files.size(dir.resolve("cadre.mv.db")) / 1048576.0);
      }
    } finally {
      // On the embedded store a close under load has been seen to hang: the plane's threads are interrupted in
      // the middle of H2's file I/O, which closes H2's file channel, after which H2 spins. Bounded here.
      Thread closing = started("close", server::close);
      closing.join(30_000);
      if (closing.isAlive()) {
        System.out.println("the server did not close within 30 s (" + store + ")");
      } else {
        deleteTree(dir);
      }
    }
  }

  /** Adds apps until the plane holds {@code target} members, with the reader and the address sampler running. */
  private static Step step(BenchServer server, ApiClient api, List<String> apps, int from, int target)
      throws Exception {
    int count = (target - from) / PER_APP;
    int first = apps.size();
    long before = allocated(server);
    Samples appReads = new Samples("GET /v1/apps/{app}");
    Samples listReads = new Samples("GET /v1/apps");
    Samples posts = new Samples("POST /v1/apps");
    ConcurrentLinkedQueue<long[]> counts = new ConcurrentLinkedQueue<>(); // {nanoTime, addresses}
    var loading = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread reader = started("reader", () -> {
      try {
        while (loading.get()) {
          if (!apps.isEmpty()) {
            String app = apps.get(ThreadLocalRandom.current().nextInt(apps.size()));
            long t = System.nanoTime();
            api.get("/v1/apps/" + app);
            appReads.add(System.nanoTime() - t);
          }
          long t = System.nanoTime();
          api.get("/v1/apps");
          listReads.add(System.nanoTime() - t);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread sampler = started("sampler", () -> {
      while (loading.get()) {
        counts.add(new long[] {System.nanoTime(), allocated(server)});
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    List<String> operations = Collections.synchronizedList(new ArrayList<>());
    AtomicLong lastAnswer = new AtomicLong();
    long start = System.nanoTime();
    parallel(CLIENTS, count, i -> {
      String name = "app" + (first + i + 1);
      long t = System.nanoTime();
      operations.add(api.createApp(name, "dc" + ((first + i) % DATACENTERS + 1), 6, 4));
      long now = System.nanoTime();
      posts.add(now - t);
      lastAnswer.accumulateAndGet(now, Math::max);
      apps.add(name);
    });
    AtomicInteger failed = new AtomicInteger();
    parallel(CLIENTS, operations.size(), i -> {
      String end = api.await(operations.get(i));
      if (!end.equals("success")) {
        failed.incrementAndGet();
        System.err.println("operation " + operations.get(i) + ": " + end);
      }
    });
    long done = System.nanoTime();
    counts.add(new long[] {done, allocated(server)});
    loading.set(false);
    reader.join();
    sampler.join();
    int added = count * PER_APP;
    long firstAllocation = counts.stream().filter(c -> c[1] > before).mapToLong(c -> c[0]).min().orElse(start);
    long lastAllocation = counts.stream().filter(c -> c[1] >= before + added).mapToLong(c -> c[0]).min().orElse(done);
    return new Step(from + added, added, added / seconds(lastAnswer.get() - start),
        added / seconds(Math.max(1, lastAllocation - firstAllocation)), added / seconds(done - start), appReads,
        listReads, posts, heapAfterGc(), failed.get());
  }

  private static long allocated(BenchServer server) {
    return server.plane.addressesInUse().values().stream().mapToLong(Integer::longValue).sum();
  }

  private static List<String> table(String store, double hostsPerSecond, double heapEmpty, List<Step> rows) {
    List<String> out = new ArrayList<>();
    out.add(String.format("%s: %d hosts in %d datacenters registered through the API at %.0f/s; heap with the hosts"
        + " and no member %.1f MiB", store, HOSTS, DATACENTERS, hostsPerSecond, heapEmpty));
    out.add("");
    out.add("| store | members | placements/s | allocations/s | running/s | GET app p50 / p99 ms | GET apps p50 / p99 ms"
        + " | POST p99 ms | heap MiB | failed |");
    out.add("|---|---|---|---|---|---|---|---|---|---|");
    for (Step s : rows) {
      out.add(String.format("| %s | %d | %.0f | %.0f | %.0f | %.1f / %.1f | %.1f / %.1f | %.1f | %.1f | %d |", store,
          s.members(), s.placementsPerSecond(), s.allocationsPerSecond(), s.runningPerSecond(), s.appReads().median(),
          s.appReads().percentile(99), s.listReads().median(), s.listReads().percentile(99), s.posts().percentile(99),
          s.heapMiB(), s.failed()));
    }
    if (rows.size() > 1) {
      Step a = rows.get(0);
      Step b = rows.get(rows.size() - 1);
      double size = (double) b.members() / a.members();
      out.add("");
      out.add(String.format("%s, %d -> %d members (x%.1f): time per placement x%.2f, per allocation x%.2f, per member"
          + " to running x%.2f; GET app p99 x%.2f, GET apps p99 x%.2f; heap above the empty plane x%.2f"
          + " (linear would be x%.1f for the heap and x1.0 for the rest)", store, a.members(), b.members(), size,
          a.placementsPerSecond() / b.placementsPerSecond(), a.allocationsPerSecond() / b.allocationsPerSecond(),
          a.runningPerSecond() / b.runningPerSecond(), b.appReads().percentile(99) / a.appReads().percentile(99),
          b.listReads().percentile(99) / a.listReads().percentile(99),
          (b.heapMiB() - heapEmpty) / Math.max(0.1, a.heapMiB() - heapEmpty), size));
    }
    out.add("");
    return out;
  }

  /** Runs {@code task(0..n-1)} on {@code threads} threads; the first failure fails the whole. */
  static void parallel(int threads, int n, Task task) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      all.add(started("client-" + t, () -> {
        for (int i = next.getAndIncrement(); i < n && errors.isEmpty(); i = next.getAndIncrement()) {
          try {
            task.run(i);
          } catch (Exception | Error e) {
            errors.add(e);
          }
        }
      }));
    }
    for (Thread t : all) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.get(0));
    }
  }

  static Thread started(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(name.equals("close"));
    t.start();
    return t;
  }

  interface Task {
    void run(int i) throws Exception;
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static double heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

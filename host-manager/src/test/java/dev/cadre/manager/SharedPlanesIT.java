package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.store.EventRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole control planes on one PostgreSQL store (a fresh schema on the server scripts/postgres runs), on
 * fake hosts: what one server is asked about an operation the other runs, placements asked of both at once,
 * and which one leads background work. {@code SharedStoreTest} checks the parts on the embedded database.
 */
@Timeout(120)
class SharedPlanesIT {
  @TempDir
  Path dir;

  @Test
  void cancelWaitAndEventsReachTheServerThatDidNotRunTheOperation() throws Exception {
    try (TestDatabase.Postgres pg = TestDatabase.postgres();
        Fixture first = new Fixture(dir.resolve("a"), pg.urlWithCredentials());
        Fixture second = new Fixture(dir.resolve("b"), pg.urlWithCredentials())) {
      FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
      FakeHostDriver h2 = first.host("h2", "10.77.0.1/24");
      second.factory.hosts.putAll(first.factory.hosts);
      CadreControlPlane a = first.open();
      CadreControlPlane b = second.open();
      first.register("h1", "dc1");
      first.register("h2", "dc1");
      List<EventView> onB = new CopyOnWriteArrayList<>();
      long subscribedAfter = a.store().lastEventId();
      b.subscribe(onB::add);

      // a create that A runs, held in its configure hook; B is asked to cancel it
      first.hooks.blockHook = "configure";
      OperationView create = a.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
      assertTrue(first.hooks.blocked.await(20, TimeUnit.SECONDS));
      assertEquals("running", b.cancel(create.id()).status());
      // A reads the flag at most every half second: past that, its next check between steps sees it
      Thread.sleep(700);
      first.hooks.release.countDown();
      OperationView cancelled = b.await(create.id(), Duration.ofSeconds(60));
      assertEquals("cancelled", cancelled.status(), cancelled.toString());
      assertThrows(NotFoundException.class, () -> b.app("shop"));
      assertEquals(0, h1.list().size() + h2.list().size(), "rolled back on A's hosts");
      assertEquals(java.util.Map.of("dc1", 0), b.addressesInUse());

      // a create that A runs to its end: B's wait returns with it
      OperationView made = a.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
      OperationView done = b.await(made.id(), Duration.ofSeconds(60));
      assertEquals("success", done.status(), done.error());

      // B's subscriber saw every event A wrote, in the table's order, the operation's end among them
      List<Long> table = a.store().eventsAfter(subscribedAfter, 10_000).stream().map(EventRecord::id).toList();
      awaitIds(onB, table);
      assertTrue(onB.stream().anyMatch(e -> e.type().equals("operation") && create.id().equals(e.data().get("id"))
          && "cancelled".equals(e.data().get("status"))), onB.toString());
      assertTrue(onB.stream().anyMatch(e -> e.type().equals("member")), onB.toString());

      // a client of B that dropped after the cancel resumes from its last id without a gap
      long lastSeen = onB.stream().filter(e -> create.id().equals(e.data().get("id"))
          && "cancelled".equals(e.data().get("status"))).findFirst().orElseThrow().id();
      List<EventView> resumed = new CopyOnWriteArrayList<>();
      try (AutoCloseable s = b.subscribe(lastSeen, resumed::add)) {
        awaitIds(resumed, a.store().eventsAfter(lastSeen, 10_000).stream().map(EventRecord::id).toList());
      }
      assertEquals("success", b.await(a.deleteApp("shop").id(), Duration.ofSeconds(60)).status());
    }
  }

  /** A delete sent to B while A still creates the app: A's create is cancelled and rolled back, then B deletes. */
  @Test
  void aDeleteSentToBStopsTheCreateThatARuns() throws Exception {
    try (TestDatabase.Postgres pg = TestDatabase.postgres();
        Fixture first = new Fixture(dir.resolve("a"), pg.urlWithCredentials());
        Fixture second = new Fixture(dir.resolve("b"), pg.urlWithCredentials())) {
      FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
      second.factory.hosts.putAll(first.factory.hosts);
      CadreControlPlane a = first.open();
      CadreControlPlane b = second.open();
      first.register("h1", "dc1");
      first.hooks.blockHook = "configure";
      OperationView create = a.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
      assertTrue(first.hooks.blocked.await(20, TimeUnit.SECONDS));

      OperationView delete = b.deleteApp("shop");
      // a second delete, on either server, is refused while the first runs
      assertThrows(ConflictException.class, () -> a.deleteApp("shop"));
      Thread.sleep(700); // A reads the cancel flag at most every half second
      first.hooks.release.countDown();
      assertEquals("success", b.await(delete.id(), Duration.ofSeconds(60)).status());
      assertEquals("cancelled", a.await(create.id(), Duration.ofSeconds(60)).status());
      assertThrows(NotFoundException.class, () -> a.app("shop"));
      assertEquals(0, h1.list().size(), "nothing left on the host");
      assertEquals(Map.of("dc1", 0), a.addressesInUse());
    }
  }

  /**
   * 20 apps of one member each, asked of both servers at once, on three hosts with room for exactly 15 such
   * members (5 CPUs each, no overcommit): 15 are placed, 5 are refused as Conflict at once, no host holds
   * more than it has, and no address is handed out twice.
   */
  @Test
  void twentyCreatesThroughTwoServersNeverOvercommitAHostNorShareAnAddress() throws Exception {
    // no CPU overcommit, so that a host's CPUs are its room
    Tuning exact = tuning(Duration.ofHours(1), 1);
    try (TestDatabase.Postgres pg = TestDatabase.postgres();
        Fixture first = fixture("a", pg, exact);
        Fixture second = fixture("b", pg, exact)) {
      for (String h : List.of("h1", "h2", "h3")) {
        first.host(h, "10.77.0.1/24");
        first.factory.cpus.put(h, 5);
      }
      second.factory.hosts.putAll(first.factory.hosts);
      second.factory.cpus.putAll(first.factory.cpus);
      CadreControlPlane a = first.open();
      CadreControlPlane b = second.open();
      for (String h : List.of("h1", "h2", "h3")) {
        first.register(h, "dc1");
      }

      ExecutorService callers = Executors.newFixedThreadPool(20);
      CountDownLatch go = new CountDownLatch(1);
      List<OperationView> accepted = new CopyOnWriteArrayList<>();
      List<ConflictException> refused = new CopyOnWriteArrayList<>();
      List<Throwable> other = new CopyOnWriteArrayList<>();
      List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        CadreControlPlane plane = i % 2 == 0 ? a : b;
        String name = "app" + i;
        calls.add(callers.submit(() -> {
          go.await();
          try {
            accepted.add(plane.createApp(Fixture.app(name, "dc1", Fixture.busybox("web", 1))));
          } catch (ConflictException e) {
            refused.add(e);
          } catch (RuntimeException e) {
            other.add(e);
          }
          return null;
        }));
      }
      go.countDown();
      for (var call : calls) {
        call.get(60, TimeUnit.SECONDS);
      }
      callers.shutdown();
      assertEquals(List.of(), other);
      assertEquals(15, accepted.size(), "refused: " + refused);
      assertEquals(5, refused.size());
      refused.forEach(e -> assertTrue(e.getMessage().contains("no host in datacenter 'dc1' can hold"), e.getMessage()));
      for (OperationView op : accepted) {
        OperationView end = b.await(op.id(), Duration.ofSeconds(60));
        assertEquals("success", end.status(), end.error());
      }

      Map<String, Integer> perHost = new java.util.TreeMap<>();
      java.util.Set<String> addresses = new java.util.HashSet<>();
      for (var m : a.store().allMembers()) {
        perHost.merge(m.host(), m.cpus(), Integer::sum);
        assertTrue(addresses.add(m.ip()), "address " + m.ip() + " handed out twice");
      }
      assertEquals(Map.of("h1", 5, "h2", 5, "h3", 5), perHost);
      for (String h : List.of("h1", "h2", "h3")) {
        assertEquals(5, first.factory.hosts.get(h).list().size(), h + "'s containers");
      }
      assertEquals(15, addresses.size());
      assertEquals(Map.of("dc1", 15), b.addressesInUse());
    }
  }

  /**
   * The leader stops beating (frozen, cut off): the other server leads within 5 s and runs the background
   * round at once; the old one, beating again, finds the other's lease and acts on nothing.
   */
  @Test
  void anotherServerLeadsWithinFiveSecondsAndTheOldOneDoesNotActAgain() throws Exception {
    // background rounds every 200 ms on both servers (they act only where the lease is)
    Tuning often = tuning(Duration.ofMillis(200), 16);
    try (TestDatabase.Postgres pg = TestDatabase.postgres();
        Fixture first = fixture("a", pg, often);
        Fixture second = fixture("b", pg, often)) {
      first.host("h1", "10.77.0.1/24");
      first.host("h2", "10.77.0.1/24");
      second.factory.hosts.putAll(first.factory.hosts);
      CadreControlPlane a = first.open();
      CadreControlPlane b = second.open();
      first.register("h1", "dc1");
      first.register("h2", "dc1");
      assertTrue(a.leadership().leads());
      assertFalse(b.leadership().leads());
      List<ServerView> servers = b.servers();
      assertEquals(2, servers.size(), servers.toString());
      assertEquals(a.leadership().server(), servers.stream().filter(ServerView::leader).findFirst().orElseThrow().id());
      assertTrue(servers.stream().allMatch(ServerView::alive));

      // h2 is down to B only: whoever probes tells who acts
      second.factory.down.add("h2");
      Thread.sleep(600);
      assertEquals("ready", b.host("h2").state(), "B does not probe while A leads");

      long frozen = System.nanoTime();
      a.leadership().suspend();
      while (!b.leadership().leads() && System.nanoTime() - frozen < TimeUnit.SECONDS.toNanos(10)) {
        Thread.sleep(20);
      }
      long takeover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
      System.out.println("leader takeover after the leader stopped beating: " + takeover + " ms");
      assertTrue(b.leadership().leads(), "B leads");
      assertTrue(takeover < 5000, "takeover took " + takeover + " ms");
      assertFalse(a.leadership().holds(), "A's fence is shut");
      awaitState(b, "h2", "unreachable");

      // A beats again: B's lease stands, A does not lead and its rounds record nothing (h1, down to A only,
      // stays ready)
      first.factory.down.add("h1");
      a.leadership().resume();
      Thread.sleep(Store.HEARTBEAT.toMillis() * 2);
      assertFalse(a.leadership().leads());
      assertFalse(a.leadership().holds());
      assertTrue(b.leadership().holds());
      Thread.sleep(600);
      assertEquals("ready", a.host("h1").state(), "A's rounds acted without the lease");
      ServerView leader = a.servers().stream().filter(ServerView::leader).findFirst().orElseThrow();
      assertEquals(b.leadership().server(), leader.id());
      assertEquals(b.leadership().epoch(), leader.epoch());

      // B closes: A takes the lease (a new epoch) at its next beat and probes: h1 is down to it
      long closed = System.nanoTime();
      b.close();
      while (!a.leadership().leads() && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(10)) {
        Thread.sleep(20);
      }
      System.out.println("leader takeover after the leader closed: "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed) + " ms");
      assertTrue(a.leadership().epoch() > leader.epoch());
      awaitState(a, "h1", "unreachable");
      assertEquals(1, a.servers().size(), "B left: " + a.servers());
    }
  }

  /** {@link Fixture#FAST} with another pause between background rounds and CPU overcommit. */
  private static Tuning tuning(Duration rounds, int cpuOvercommit) {
    return new Tuning(16, Duration.ofSeconds(10), Duration.ofSeconds(5), 3, Duration.ofMillis(10), rounds,
        cpuOvercommit, 8, Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  private Fixture fixture(String name, TestDatabase.Postgres pg, Tuning tuning) {
    Fixture f = new Fixture(dir.resolve(name), pg.urlWithCredentials());
    f.tuning = tuning;
    return f;
  }

  private static void awaitState(CadreControlPlane plane, String host, String state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!plane.host(host).state().equals(state) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(state, plane.host(host).state(), host);
  }

  private static void awaitIds(List<EventView> seen, List<Long> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (seen.size() < expected.size() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(expected, seen.stream().map(EventView::id).toList().subList(0, Math.min(seen.size(), expected.size())));
    assertEquals(expected.size(), Math.min(seen.size(), expected.size()));
  }
}

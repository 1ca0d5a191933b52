package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Roles of the real redis template on real LXD host 1, through the control plane, with a real client that
 * counts what redis acknowledged: a single member converted to a primary and a replica and back, a chosen
 * replica promoted, a kill -9 that systemd repairs without a failover, a failover after the primary's
 * container is stopped by force, and the old primary's return as a replica. Clients use only the service
 * address, which must reach the primary throughout.
 */
class RedisRolesIT extends RolesFixture {

  @Override
  String prefix() {
    return "rr";
  }

  @Test
  void redisKeepsEveryAcknowledgedWriteAcrossConversionPromotionAndFailover() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("cache", "redis", null, null, null)), false)),
        20);
    ServiceView s = service();
    String address = s.address();
    String password = s.secrets().get("password");
    assertNotNull(address, "a redis service has a service address");
    assertNotNull(s.plan(), "what the member's plan hook declared is stored");
    assertEquals("single", s.topology());
    assertEquals(1, s.members().size());
    assertEquals("master", Resp.role(address, password), "the service address reaches the primary");

    // bad input first: nothing changes
    ConflictException unknown = assertThrows(ConflictException.class,
        () -> plane.convertService(app, "cache", "sharded"));
    assertTrue(unknown.getMessage().contains("single, redundant"), unknown.getMessage());
    assertEquals("success", plane.convertService(app, "cache", "single").status(), "to the same topology: a no-op");
    assertThrows(NotFoundException.class, () -> plane.promoteMember(app, "cache", "nobody-1"));

    long written = write(address, password, "k", 2000);
    assertEquals(2000, written);

    // single -> redundant while a client keeps writing through the service address
    Writer during = new Writer(address, password, "c");
    OperationView toRedundant = ok(plane.convertService(app, "cache", "redundant"), 20);
    during.stop();
    print("convert to redundant", toRedundant);
    s = service();
    assertEquals("redundant", s.topology());
    assertEquals(2, s.members().size());
    MemberView first = member(s, "primary");
    MemberView replica = member(s, "replica");
    assertEquals(address, s.address(), "the service keeps its address");
    assertEquals(2000, Resp.existing(address, password, "k", 2000), "every write acknowledged before the conversion");
    assertEquals(during.acked.get(), Resp.existing(address, password, "c", during.acked.get()),
        "every write acknowledged during the conversion");
    // a write the client gave up on may still have been applied: the count is at least what was acknowledged
    long expected = Resp.dbsize(address, password);
    assertTrue(expected >= 2000 + during.acked.get());
    awaitDbsize(replica.ip(), password, expected);
    assertEquals("slave", Resp.role(replica.ip(), password));
    System.out.printf("convert to redundant: %d writes acknowledged during it, longest refusal %d ms%n",
        during.acked.get(), during.longestGapMs());

    // a conversion or promotion while one runs: 409 naming it
    OperationView promoting = plane.promoteMember(app, "cache", replica.name());
    ConflictException busy = assertThrows(ConflictException.class, () -> plane.convertService(app, "cache", "single"));
    assertTrue(busy.getMessage().contains(promoting.id()), busy.getMessage());
    Writer duringPromote = new Writer(address, password, "p");
    OperationView promoted = plane.await(promoting.id(), Duration.ofMinutes(5));
    duringPromote.stop();
    assertEquals("success", promoted.status(), promoted.error() + "\n" + promoted.steps());
    print("promote", promoted);
    s = service();
    assertEquals(replica.name(), member(s, "primary").name());
    assertEquals(first.name(), member(s, "replica").name());
    assertEquals("master", Resp.role(replica.ip(), password));
    assertEquals("slave", Resp.role(first.ip(), password), "the old primary follows the new one");
    assertEquals("master", Resp.role(address, password), "the service address moved to the new primary");
    assertEquals(duringPromote.acked.get(), Resp.existing(address, password, "p", duringPromote.acked.get()),
        "nothing acknowledged was lost in the promotion");
    assertTrue(Resp.dbsize(address, password) >= expected + duringPromote.acked.get());
    expected = Resp.dbsize(address, password);
    System.out.printf("promote: %d writes acknowledged during it, longest refusal %d ms%n",
        duringPromote.acked.get(), duringPromote.longestGapMs());
    assertEquals("success", plane.promoteMember(app, "cache", replica.name()).status(), "the primary: a no-op");

    // kill -9 of redis-server in the primary: systemd brings it back at once, no failover
    MemberView primary = member(s, "primary");
    lxc("exec", primary.name(), "--", "systemctl", "kill", "--signal=KILL", "--kill-whom=main", "redis-server");
    Thread.sleep(5000);
    plane.watchPrimaries();
    Thread.sleep(1000);
    s = service();
    assertEquals(primary.name(), member(s, "primary").name(), "no failover when supervision repairs the process in time");
    assertEquals(expected, Resp.dbsize(address, password), "the append-only file kept every acknowledged write");

    // the primary's container stops by force: the replica takes over at the service address
    expected += write(address, password, "f", 500);
    awaitDbsize(first.ip(), password, expected);
    long killed = System.nanoTime();
    lxc("stop", "--force", primary.name());
    long firstWrite = awaitFirstWrite(address, password, Duration.ofSeconds(60));
    System.out.printf("failover: first write accepted at the service address %d ms after the primary's stop%n",
        (firstWrite - killed) / 1_000_000);
    expected += 1;
    OperationView failover = awaitOperation("failover", Duration.ofMinutes(2));
    print("failover", failover);
    s = service();
    assertEquals(first.name(), member(s, "primary").name(), "the replica took over");
    assertEquals("demoted", s.members().stream().filter(m -> m.name().equals(primary.name())).findFirst().orElseThrow()
        .state());
    assertEquals(expected, Resp.dbsize(address, password), "every write the replica had is there");

    // the old primary comes back: it rejoins as a replica and never serves writes as a second primary
    lxc("start", primary.name());
    awaitState(primary.name(), "running", Duration.ofMinutes(2));
    assertEquals("slave", Resp.role(primary.ip(), password));
    assertEquals("master", Resp.role(address, password));
    awaitDbsize(primary.ip(), password, expected);

    // back to single: the current primary stays with every key
    OperationView toSingle = ok(plane.convertService(app, "cache", "single"), 5);
    print("convert to single", toSingle);
    s = service();
    assertEquals("single", s.topology());
    assertEquals(List.of(first.name()), s.members().stream().map(MemberView::name).toList());
    assertEquals(expected, Resp.dbsize(address, password));
    assertTrue(Resp.set(address, password, "after", "single"));
    java.util.Set<Object> kinds = new java.util.HashSet<>();
    events.stream().filter(e -> e.type().equals("operation")).forEach(e -> kinds.add(e.data().get("kind")));
    assertTrue(kinds.containsAll(List.of("convert_service", "promote_member", "failover", "rejoin_member")),
        "every transition is an operation and its events: " + kinds);
  }

  // ---- helpers





  private static long write(String address, String password, String prefix, int n) throws IOException {
    long acked = 0;
    try (Resp r = new Resp(address, password)) {
      for (int i = 0; i < n; i++) {
        if ("OK".equals(r.call("SET", prefix + ":" + i, "v" + i))) {
          acked++;
        }
      }
    }
    return acked;
  }

  private static void awaitDbsize(String ip, String password, long expected) throws Exception {
    long seen = -1;
    for (int i = 0; i < 100; i++) {
      try {
        seen = Resp.dbsize(ip, password);
      } catch (IOException e) {
        seen = -1;
      }
      if (seen == expected) {
        return;
      }
      Thread.sleep(100);
    }
    assertEquals(expected, seen, "keys on " + ip);
  }

  private static long awaitFirstWrite(String address, String password, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (Resp.set(address, password, "first-after-failover", "1")) {
        return System.nanoTime();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no write accepted at " + address + " within " + limit);
  }




  /** Writes keys in a loop on a thread of its own, counting what redis acknowledged. */
  static final class Writer {
    final AtomicLong acked = new AtomicLong();
    final AtomicLong lastAck = new AtomicLong(System.nanoTime());
    final AtomicLong longestGap = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final Thread thread;

    Writer(String address, String password, String prefix) {
      this(() -> address, password, prefix);
    }

    /** A writer that asks for the address each time it (re)connects: one that follows the plane's answer. */
    Writer(java.util.function.Supplier<String> address, String password, String prefix) {
      this(address, password, prefix, 0);
    }

    /**
     * A writer that rests {@code pauseMs} after each acknowledged write: one that runs for minutes (a move
     * that waits out a cut link) would otherwise fill the member's memory at tens of thousands a second.
     */
    Writer(java.util.function.Supplier<String> address, String password, String prefix, long pauseMs) {
      thread = new Thread(() -> {
        long i = 0;
        while (running.get()) {
          try (Resp r = new Resp(address.get(), password)) {
            while (running.get()) {
              if ("OK".equals(r.call("SET", prefix + ":" + i, "v"))) {
                i++;
                acked.incrementAndGet();
                long now = System.nanoTime();
                longestGap.accumulateAndGet(now - lastAck.getAndSet(now), Math::max);
                if (pauseMs > 0) {
                  Thread.sleep(pauseMs);
                }
              }
            }
          } catch (InterruptedException stop) {
            return;
          } catch (IOException | RuntimeException e) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException stop) {
              return;
            }
          }
        }
      }, "writer-" + prefix);
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }

    long longestGapMs() {
      return longestGap.get() / 1_000_000;
    }
  }
}

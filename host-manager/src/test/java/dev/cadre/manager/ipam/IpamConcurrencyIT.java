package dev.cadre.manager.ipam;

import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.lifecycle.OperationStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads claim addresses at once against the real embedded database file
 * ({@link PostgresIpamConcurrencyIT}: against PostgreSQL).
 */
class IpamConcurrencyIT {
  @TempDir
  Path dir;

  TestDatabase database(Path dir) {
    return TestDatabase.h2(dir);
  }

  @Test
  void anAddressIsNeverHandedOutTwice() throws Exception {
    try (TestDatabase db = database(dir); JdbcStore store = db.open(40)) {
      Instant now = Instant.now();
      store.registerHost(Ipam.datacenterFor("dc1", "10.77.0.1/24", Clock.systemUTC()),
          new HostRecord("h1", "lxd", "unix:///x", "dc1", "br0", HostState.READY, 1, 1, 0, 1, 0, null, now),
          new OperationRecord("op1", OperationKind.REGISTER_HOST, "hosts/h1", null, OperationStatus.SUCCESS, 100, null, now, now));
      Ipam ipam = new Ipam(store, Clock.systemUTC());

      int threads = 40;
      int each = 5; // 200 claims for a pool of 127
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
      java.util.Map<String, String> holder = new java.util.concurrent.ConcurrentHashMap<>();
      AtomicInteger refused = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            try {
              String member = "m-" + thread + "-" + i;
              String address = ipam.allocate("dc1", member);
              got.add(address);
              holder.put(address, member);
            } catch (ConflictException e) {
              assertTrue(e.getMessage().contains("no free address"), e.getMessage());
              refused.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();

      Set<String> unique = new HashSet<>(got);
      assertEquals(got.size(), unique.size(), "an address was handed out twice");
      assertEquals(127, unique.size());
      assertEquals(200 - 127, refused.get());
      Subnet s = Subnet.parseGatewayCidr("10.77.0.1/24");
      for (String a : unique) {
        assertTrue(s.inPool(Subnet.toInt(a)), a);
      }
      assertEquals(unique, store.allocatedAddresses("dc1"));

      // released addresses come back, lowest first
      String freed = "10.77.0.200";
      assertEquals(1, ipam.release(holder.get(freed)) + ipam.release("nobody"));
      assertEquals(freed, ipam.allocate("dc1", "again"));
      assertEquals(0, ipam.free("dc1"));
    }
  }
}

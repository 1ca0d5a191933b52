package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.ipam.Ipam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database file: migrated once, reopened with its data, constraints enforced. */
class JdbcStoreIT {
  @TempDir
  Path dir;

  @Test
  void migratesOnceAndKeepsDataAcrossReopen() throws Exception {
    Instant now = Instant.now();
    String id;
    try (JdbcStore store = JdbcStore.embedded(dir, 4)) {
      assertEquals("h2", store.kind());
      id = store.storeId();
      store.registerHost(Ipam.datacenterFor("dc1", "10.77.0.1/24", Clock.systemUTC()),
          new HostRecord("h1", "lxd", "unix:///x", "dc1", "br0", "ready", 2, 1 << 30, 0, 1 << 30, 0, null, now),
          new OperationRecord("op1", "register_host", "hosts/h1", "success", 100, null, now, now));
      OperationRecord op = new OperationRecord("op2", "create_app", "apps/shop", "pending", 0, null, now, now);
      store.createApp(new AppRecord("shop", "dc1", "creating", false, now),
          List.of(new ServiceRecord("shop", "web", "busybox", "single", Map.of("k", "v"), Map.of("password", "s3cret"))),
          List.of(new MemberRecord("shop-web-1", "shop", "web", 1, "primary", "h1", null, "creating", null, 1, 64, 64, "op2")),
          op);
      assertThrows(ConflictException.class, () -> store.createApp(new AppRecord("shop", "dc1", "creating", false, now),
          List.of(), List.of(), new OperationRecord("op3", "create_app", "apps/shop", "pending", 0, null, now, now)));
      assertTrue(store.operation("op3").isEmpty(), "a refused create leaves no operation behind");
      assertTrue(store.tryAllocate("dc1", "10.77.0.128", "shop-web-1", now));
      assertTrue(!store.tryAllocate("dc1", "10.77.0.128", "other", now));
      long e1 = store.addEvent("member", "apps/shop/web/shop-web-1", "{}", now);
      long e2 = store.addEvent("member", "apps/shop/web/shop-web-1", "{}", now);
      assertTrue(e2 > e1);
    }
    assertTrue(Files.exists(dir.resolve("cadre.mv.db")));
    try (JdbcStore store = JdbcStore.embedded(dir, 4)) {
      assertEquals(id, store.storeId());
      assertEquals("s3cret", store.services("shop").get(0).secrets().get("password"));
      assertEquals("v", store.services("shop").get(0).config().get("k"));
      assertEquals(List.of("op2"), store.unfinishedOperations().stream().map(OperationRecord::id).toList());
      assertEquals(1, store.allocatedAddresses("dc1").size());
      store.deleteMember("shop-web-1");
      assertEquals(1, store.releaseUnownedAddresses());
      store.deleteApp("shop");
      assertTrue(store.apps().isEmpty());
    }
    try (var c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("cadre"));
        var r = c.createStatement().executeQuery(
            "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")) {
      assertTrue(r.next());
      assertEquals("1", r.getString(1));
      assertTrue(r.getBoolean(2));
    }
  }
}

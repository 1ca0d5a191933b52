package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.operations.StepStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.ipam.Ipam;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on the embedded database file: migrated once, reopened with its data, constraints enforced,
 * composite writes all or nothing. {@link PostgresStoreIT} runs the same tests on PostgreSQL.
 */
class JdbcStoreIT {
  @TempDir
  Path dir;

  TestDatabase db;

  /** The database under test; each test gets its own. */
  TestDatabase database(Path dir) {
    return TestDatabase.h2(dir);
  }

  @BeforeEach
  void openDatabase() {
    db = database(dir);
  }

  @AfterEach
  void closeDatabase() {
    if (db != null) {
      db.close();
    }
  }

  static void registerDc1(Store store, Instant now) {
    store.registerHost(Ipam.datacenterFor("dc1", "10.77.0.1/24", Clock.systemUTC()),
        new HostRecord("h1", "lxd", "unix:///x", "dc1", "br0", HostState.READY, 2, 1 << 30, 0, 1 << 30, 0, null, now),
        new OperationRecord("op1", OperationKind.REGISTER_HOST, "hosts/h1", null, OperationStatus.SUCCESS, 100, null, now, now));
  }

  @Test
  void retentionPrunesOldEventsAndFinishedOperationsButNeverRunningOnes() {
    Instant now = Instant.parse("2026-03-01T00:00:00Z");
    Instant old = now.minus(java.time.Duration.ofDays(8));
    try (JdbcStore store = db.open(4)) {
      for (int i = 0; i < 1203; i++) { // more than two batches
        store.insertOperation(new OperationRecord("old-" + i, OperationKind.CREATE_APP, "apps/a", null, OperationStatus.SUCCESS,
            100, null, old, old));
        store.addStep("old-" + i, new StepRecord("place", StepStatus.DONE, null, old));
        store.addEvent("operation", "operations/old-" + i, "{}", old);
      }
      store.insertOperation(new OperationRecord("old-failed", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.FAILURE,
          0, "boom", old, old));
      store.insertOperation(new OperationRecord("old-running", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.RUNNING,
          10, null, old, old));
      store.insertOperation(new OperationRecord("old-pending", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.PENDING,
          0, null, old, old));
      store.addStep("old-running", new StepRecord("place", StepStatus.DONE, null, old));
      store.insertOperation(new OperationRecord("recent", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.SUCCESS,
          100, null, now.minus(java.time.Duration.ofDays(1)), now.minus(java.time.Duration.ofDays(1))));
      long recentEvent = store.addEvent("operation", "operations/recent", "{}", now.minus(java.time.Duration.ofHours(1)));

      var pruned = new dev.cadre.manager.operations.Retention(store, Clock.fixed(now, java.time.ZoneOffset.UTC),
          java.time.Duration.ofDays(7)).run();
      assertEquals(1204, pruned.operations());
      assertEquals(1203, pruned.events());
      assertTrue(store.operation("old-0").isEmpty());
      assertTrue(store.operation("old-1202").isEmpty());
      assertTrue(store.steps("old-0").isEmpty());
      assertTrue(store.operation("old-failed").isEmpty());
      assertTrue(store.operation("old-running").isPresent(), "a running operation is never pruned");
      assertTrue(store.operation("old-pending").isPresent(), "a pending operation is never pruned");
      assertEquals(1, store.steps("old-running").size());
      assertTrue(store.operation("recent").isPresent());
      List<EventRecord> left = store.eventsAfter(0, 10);
      assertEquals(List.of(recentEvent), left.stream().map(EventRecord::id).toList());

      assertEquals(new dev.cadre.manager.operations.Retention.Pruned(0, 0),
          new dev.cadre.manager.operations.Retention(store, Clock.fixed(now, java.time.ZoneOffset.UTC),
              java.time.Duration.ofDays(7)).run(), "a second round finds nothing");
    }
  }

  @Test
  void anOperationIsClaimedOnlyFromTheOwnerItWasReadWith() {
    Instant now = Instant.now();
    try (JdbcStore store = db.open(4)) {
      store.insertOperation(new OperationRecord("op-c", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.RUNNING,
          0, null, now, now));
      store.setOperationOwner("op-c", "dead");
      assertTrue(store.claimOperation("op-c", "dead", "b"), "the first claim from the dead owner wins");
      assertFalse(store.claimOperation("op-c", "dead", "c"), "a second claim read the owner before the first");
      assertEquals("b", store.operationOwner("op-c"));
      store.insertOperation(new OperationRecord("op-n", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.RUNNING,
          0, null, now, now));
      assertFalse(store.claimOperation("op-n", "someone", "b"), "no owner recorded: only a claim from none");
      assertTrue(store.claimOperation("op-n", null, "b"));
      assertFalse(store.claimOperation("op-n", null, "c"));
    }
  }

  @Test
  void migratesOnceAndKeepsDataAcrossReopen() throws Exception {
    Instant now = Instant.now();
    String id;
    try (JdbcStore store = db.open(4)) {
      assertEquals(db.kind(), store.kind());
      id = store.storeId();
      registerDc1(store, now);
      OperationRecord op = new OperationRecord("op2", OperationKind.CREATE_APP, "apps/shop", null, OperationStatus.PENDING, 0, null, now, now);
      store.createApp(new AppRecord("shop", "dc1", AppState.CREATING, false, now),
          List.of(new ServiceRecord("shop", "web", "busybox", "single", Map.of("k", "v"), Map.of("password", "s3cret"), ServiceState.READY)),
          List.of(new MemberRecord("shop-web-1", "shop", "web", 1, "primary", "h1", null, MemberState.CREATING, null, 1, 64, 64, "op2")),
          op);
      assertThrows(ConflictException.class, () -> store.createApp(new AppRecord("shop", "dc1", AppState.CREATING, false, now),
          List.of(), List.of(), new OperationRecord("op3", OperationKind.CREATE_APP, "apps/shop", null, OperationStatus.PENDING, 0, null, now, now)));
      assertTrue(store.operation("op3").isEmpty(), "a refused create leaves no operation behind");
      assertTrue(store.tryAllocate("dc1", "10.77.0.128", "shop-web-1", now));
      assertTrue(!store.tryAllocate("dc1", "10.77.0.128", "other", now));
      long e1 = store.addEvent("member", "apps/shop/web/shop-web-1", "{}", now);
      long e2 = store.addEvent("member", "apps/shop/web/shop-web-1", "{}", now);
      assertTrue(e2 > e1);
    }
    db.assertPersisted();
    try (JdbcStore store = db.open(4)) {
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
    try (var c = db.connect();
        var r = c.createStatement().executeQuery(
            "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")) {
      assertTrue(r.next());
      assertEquals("1", r.getString(1));
      assertTrue(r.getBoolean(2));
    }
  }

  @Test
  void compositeWritesAreAllOrNothing() {
    Instant now = Instant.now();
    try (JdbcStore store = db.open(4)) {
      registerDc1(store, now);
      // a second host whose network disagrees with the datacenter: neither host nor operation is kept
      assertThrows(ConflictException.class, () -> store.registerHost(
          Ipam.datacenterFor("dc1", "10.99.0.1/24", Clock.systemUTC()),
          new HostRecord("h2", "lxd", "unix:///y", "dc1", "br0", HostState.READY, 2, 1, 0, 1, 0, null, now),
          new OperationRecord("op9", OperationKind.REGISTER_HOST, "hosts/h2", null, OperationStatus.SUCCESS, 100, null, now, now)));
      assertTrue(store.host("h2").isEmpty());
      assertTrue(store.operation("op9").isEmpty());
      assertEquals(Ipam.datacenterFor("dc1", "10.77.0.1/24", Clock.systemUTC()).subnet(),
          store.datacenter("dc1").orElseThrow().subnet());

      store.createApp(new AppRecord("shop", "dc1", AppState.CREATING, false, now),
          List.of(new ServiceRecord("shop", "web", "busybox", "single", Map.of(), Map.of(), ServiceState.READY)),
          List.of(new MemberRecord("shop-web-1", "shop", "web", 1, "primary", "h1", null, MemberState.CREATING, null, 1, 64, 64, "op2")),
          new OperationRecord("op2", OperationKind.CREATE_APP, "apps/shop", null, OperationStatus.PENDING, 0, null, now, now));
      // the app, its service and its operation are written before the member that collides: all rolled back
      ConflictException taken = assertThrows(ConflictException.class, () -> store.createApp(
          new AppRecord("shop2", "dc1", AppState.CREATING, false, now),
          List.of(new ServiceRecord("shop2", "web", "busybox", "single", Map.of(), Map.of(), ServiceState.READY)),
          List.of(new MemberRecord("shop-web-1", "shop2", "web", 1, "primary", "h1", null, MemberState.CREATING, null, 1, 64, 64,
              "op4")),
          new OperationRecord("op4", OperationKind.CREATE_APP, "apps/shop2", null, OperationStatus.PENDING, 0, null, now, now)));
      assertTrue(taken.getMessage().contains("member name 'shop-web-1' is taken"), taken.getMessage());
      assertTrue(store.app("shop2").isEmpty());
      assertTrue(store.services("shop2").isEmpty());
      assertTrue(store.operation("op4").isEmpty());
      assertEquals("shop", store.member("shop-web-1").orElseThrow().app());
      assertEquals(List.of("shop"), store.apps().stream().map(AppRecord::name).toList());

      // the store is still usable after the refused transactions (PostgreSQL aborts them)
      assertTrue(store.changeMemberState("shop-web-1", MemberState.CREATING, MemberState.CONFIGURING, null));
      assertFalse(store.changeMemberState("shop-web-1", MemberState.CREATING, MemberState.FAILED, "late"));
      assertEquals(MemberState.CONFIGURING, store.member("shop-web-1").orElseThrow().state());
      assertThrows(dev.cadre.manager.lifecycle.IllegalTransitionException.class,
          () -> store.changeMemberState("shop-web-1", MemberState.CONFIGURING, MemberState.CREATING, null),
          "a change the lifecycle does not allow is refused before the store is asked");
    }
  }

  @Test
  void backupsOutliveTheirAppAndKeepWhatWasRecorded() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (JdbcStore store = db.open(4)) {
      registerDc1(store, now);
      store.createApp(new AppRecord("shop", "dc1", AppState.CREATING, false, now),
          List.of(new ServiceRecord("shop", "db", "redis", "single", Map.of("maxmemory", "64mb"), Map.of(),
              ServiceState.READY)), List.of(),
          new OperationRecord("op2", OperationKind.CREATE_APP, "apps/shop", null, OperationStatus.PENDING, 0, null, now, now));
      BackupRecord first = new BackupRecord("bk-00000000000000000001", "shop", "db", "redis", "single",
          Map.of("maxmemory", "64mb"), now, 12345, "ab".repeat(32), "op3");
      BackupRecord second = new BackupRecord("bk-00000000000000000002", "shop", "db", "redis", "redundant", Map.of(),
          now.plusSeconds(1), 1L << 40, "cd".repeat(32), "op4");
      store.insertBackup(second);
      store.insertBackup(first);
      assertThrows(ConflictException.class, () -> store.insertBackup(first), "an id is stored once");
      store.deleteApp("shop");
      assertTrue(store.app("shop").isEmpty());
      assertEquals(List.of(first, second), store.backups("shop", "db"), "oldest first, after the app is gone");
      assertEquals(List.of(), store.backups("shop", "web"));
      assertEquals(second, store.backup(second.id()).orElseThrow());
      assertTrue(store.backup("bk-99999999999999999999").isEmpty());
    }
    try (JdbcStore reopened = db.open(2)) {
      assertEquals(2, reopened.backups("shop", "db").size(), "kept across a reopen");
    }
  }

  @Test
  void aHostStateChangesOnlyFromTheStateItWasReadIn() {
    Instant now = Instant.now();
    try (JdbcStore store = db.open(4)) {
      registerDc1(store, now);
      HostRecord ready = store.host("h1").orElseThrow();
      HostRecord draining = ready.withState(HostState.DRAINING, null, now);
      assertTrue(store.updateHost(draining, HostState.READY));
      // a writer that read the host while it was ready (a probe) does not undo the drain
      assertFalse(store.updateHost(ready.withState(HostState.UNREACHABLE, "late probe", now), HostState.READY));
      assertEquals(HostState.DRAINING, store.host("h1").orElseThrow().state());
      assertTrue(store.updateHost(draining.withState(HostState.DRAINED, null, now), HostState.DRAINING));
      assertEquals(HostState.DRAINED, store.host("h1").orElseThrow().state());
      assertFalse(store.updateHost(draining.withState(HostState.READY, null, now), HostState.DRAINING));
      assertEquals(HostState.DRAINED, store.host("h1").orElseThrow().state());
    }
  }

  /** A step recorded running changes in place (its place in the list kept) until it ends, or its operation does. */
  @Test
  void aRunningStepIsUpdatedInPlaceAndEndedWithItsOperation() {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (JdbcStore store = db.open(4)) {
      store.insertOperation(new OperationRecord("op-m", OperationKind.MOVE_APP, "apps/m", null, OperationStatus.RUNNING, 0,
          null, at, at));
      long copy = store.addStep("op-m", new StepRecord("m-db-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd2", at));
      long other = store.addStep("op-m", new StepRecord("m-web-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd3", at));
      assertTrue(other > copy, "step ids grow");
      assertTrue(store.updateStep("op-m", copy, StepStatus.RUNNING, "lxd1 -> lxd2, 42.1 MiB sent", at.plusSeconds(1)));
      assertFalse(store.updateStep("op-other", copy, StepStatus.DONE, "not its operation's", at));
      assertEquals(List.of(new StepRecord("m-db-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd2, 42.1 MiB sent",
          at.plusSeconds(1)), new StepRecord("m-web-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd3", at)), store.steps("op-m"));
      assertTrue(store.updateStep("op-m", copy, StepStatus.DONE, "lxd1 -> lxd2, 97.3 MiB sent", at.plusSeconds(2)));
      assertEquals(1, store.endRunningSteps("op-m", StepStatus.FAILED, at.plusSeconds(3)));
      assertEquals(List.of(new StepRecord("m-db-1: pre-copy", StepStatus.DONE, "lxd1 -> lxd2, 97.3 MiB sent",
          at.plusSeconds(2)), new StepRecord("m-web-1: pre-copy", StepStatus.FAILED, "lxd1 -> lxd3", at.plusSeconds(3))),
          store.steps("op-m"));
    }
  }

  @Test
  void operationsStepsAndEventsKeepTheirOrder() {
    Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (JdbcStore store = db.open(4)) {
      store.insertOperation(new OperationRecord("op-a", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.PENDING, 0, null, created, created));
      store.insertOperation(new OperationRecord("op-b", OperationKind.DELETE_APP, "apps/b", null, OperationStatus.RUNNING, 10, null,
          created.plusSeconds(1), created.plusSeconds(1)));
      assertThrows(ConflictException.class, () -> store.insertOperation(
          new OperationRecord("op-a", OperationKind.CREATE_APP, "apps/a", null, OperationStatus.PENDING, 0, null, created, created)));
      assertEquals(List.of("op-a", "op-b"), store.unfinishedOperations().stream().map(OperationRecord::id).toList());

      Instant done = created.plusSeconds(5);
      assertTrue(store.changeOperationStatus("op-a", OperationStatus.PENDING, OperationStatus.FAILURE, 100,
          "x".repeat(20_000), done));
      OperationRecord a = store.operation("op-a").orElseThrow();
      assertEquals(OperationStatus.FAILURE, a.status());
      assertEquals(100, a.progress());
      assertEquals(16384, a.error().length(), "long errors are clipped to the column");
      assertEquals(done, a.updated());
      assertEquals(created, a.created());
      assertEquals(1, store.countOperations(OperationStatus.FAILURE));
      assertEquals(1, store.countOperations(OperationStatus.RUNNING));
      assertEquals(0, store.countOperations(OperationStatus.SUCCESS));
      assertEquals(List.of("op-b"), store.unfinishedOperations().stream().map(OperationRecord::id).toList());

      for (int i = 0; i < 12; i++) {
        store.addStep("op-b", new StepRecord("step " + i, i % 2 == 0 ? StepStatus.DONE : StepStatus.FAILED, "detail " + i,
            created.plusMillis(i)));
      }
      List<StepRecord> steps = store.steps("op-b");
      assertEquals(12, steps.size());
      for (int i = 0; i < 12; i++) {
        assertEquals("step " + i, steps.get(i).name());
        assertEquals("detail " + i, steps.get(i).detail());
        assertEquals(created.plusMillis(i), steps.get(i).at());
      }
      assertTrue(store.steps("op-a").isEmpty());
      assertThrows(RuntimeException.class, () -> store.addStep("no-such-op", new StepRecord("s", StepStatus.DONE, null, created)),
          "a step needs its operation");

      long previous = 0;
      for (int i = 0; i < 20; i++) {
        long id = store.addEvent("member", "apps/a/web/a-web-" + i, "{\"n\":" + i + "}", created);
        assertTrue(id > previous, "event ids grow: " + id + " after " + previous);
        previous = id;
      }
      List<EventRecord> all = store.eventsAfter(0, 100);
      assertEquals(20, all.size());
      List<EventRecord> tail = store.eventsAfter(all.get(14).id(), 3);
      assertEquals(List.of(all.get(15).id(), all.get(16).id(), all.get(17).id()),
          tail.stream().map(EventRecord::id).toList());
      assertEquals("{\"n\":15}", tail.get(0).data());
      assertTrue(store.eventsAfter(previous, 10).isEmpty());
    }
  }

  @Test
  void tokensAreFoundByHashAndGoneAfterRevocation() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (JdbcStore store = db.open(2)) {
      TokenRecord viewer = new TokenRecord("tk-1", "ci", "viewer", null, null, now, "aa".repeat(32));
      TokenRecord scoped = new TokenRecord("tk-2", "shop-ops", "operator", List.of("shop", "blog"),
          now.plus(1, ChronoUnit.DAYS), now.plusMillis(1), "bb".repeat(32));
      store.insertToken(viewer);
      store.insertToken(scoped);
      assertThrows(ConflictException.class, () -> store.insertToken(
          new TokenRecord("tk-3", "ci", "viewer", null, null, now, "cc".repeat(32))), "names are unique");
      assertEquals(viewer, store.tokenByHash("aa".repeat(32)).orElseThrow());
      TokenRecord read = store.tokenByHash("bb".repeat(32)).orElseThrow();
      assertEquals(List.of("shop", "blog"), read.apps());
      assertEquals(scoped.expires(), read.expires());
      assertEquals(List.of("tk-1", "tk-2"), store.tokens().stream().map(TokenRecord::id).toList());
      assertTrue(store.deleteToken("tk-1"));
      assertFalse(store.deleteToken("tk-1"));
      assertTrue(store.tokenByHash("aa".repeat(32)).isEmpty());
      assertTrue(store.token("tk-1").isEmpty());
      assertEquals("shop-ops", store.token("tk-2").orElseThrow().name());
    }
  }

  @Test
  void auditEntriesPageByIdInOrder() {
    Instant now = Instant.now();
    try (JdbcStore store = db.open(2)) {
      long a = store.addAudit(new AuditRecord(0, now, "admin", "POST", "/v1/apps", 202, "op-1"));
      long b = store.addAudit(new AuditRecord(0, now, "ci", "DELETE", "/v1/apps/shop", 403, null));
      long c = store.addAudit(new AuditRecord(0, now, "ci", "GET", "/v1/apps/shop/services/db/secrets", 200, null));
      assertTrue(a < b && b < c);
      List<AuditRecord> first = store.auditAfter(0, 2);
      assertEquals(List.of(a, b), first.stream().map(AuditRecord::id).toList());
      assertEquals("op-1", first.get(0).operationId());
      assertEquals(403, first.get(1).status());
      assertEquals(List.of(c), store.auditAfter(b, 10).stream().map(AuditRecord::id).toList());
    }
  }
}

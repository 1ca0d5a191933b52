package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.NotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Role changes over fake hosts and scripted hooks: the order of the steps, the service address held by
 * exactly the primary, refusals that change nothing. The real templates on real LXD: RedisRolesIT and
 * PostgresRolesIT.
 */
class RolesTest {
  @TempDir
  Path dir;
  Fixture f;
  FakeHostDriver host;
  final List<EventView> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() throws Exception {
    f = new Fixture(dir, false);
    host = f.host("h1", "10.77.0.1/24");
    f.open();
    assertEquals("success", f.done(f.register("h1", "dc1")).status());
    f.plane.subscribe(events::add);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private ServiceView service(String app) {
    return f.plane.app(app).services().get(0);
  }

  private static MemberView member(ServiceView s, String role) {
    return s.members().stream().filter(m -> role.equals(m.role())).findFirst().orElseThrow();
  }

  private OperationView ok(OperationView op) throws InterruptedException {
    OperationView end = f.done(op);
    assertEquals("success", end.status(), end.error() + "\n" + end.steps());
    return end;
  }

  /** The one member whose NIC carries the service address, as the host sees it. */
  private Set<String> holders(ServiceView s) {
    return Set.copyOf(s.members().stream().filter(m -> host.find(m.name()).isPresent()
        && host.assignedAddresses(m.name()).contains(s.address())).map(MemberView::name).toList());
  }

  private OperationView awaitOperation(String kind) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (EventView e : events) {
        if (e.type().equals("operation") && kind.equals(e.data().get("kind"))) {
          return ok(f.plane.operation(String.valueOf(e.data().get("id"))));
        }
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no " + kind + " operation; events " + events);
  }

  @Test
  void theServiceAddressIsHeldByThePrimaryAloneThroughConversionPromotionFailoverAndRejoin() throws Exception {
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", null, null, null))));
    ServiceView s = service("shop");
    assertNotNull(s.address());
    assertEquals("{}", s.plan().toString(), "the plan hook's answer is stored");
    assertEquals(Set.of("shop-db-1"), holders(s));
    assertEquals(2, f.plane.addressesInUse().get("dc1"), "the member's address and the service's");

    OperationView up = ok(f.plane.convertService("shop", "db", "redundant"));
    s = service("shop");
    assertEquals("redundant", s.topology());
    assertEquals(List.of("primary", "replica"), s.members().stream().map(MemberView::role).toList());
    assertEquals(Set.of("shop-db-1"), holders(s), "a conversion leaves the address where it is");
    List<String> order = up.steps().stream().map(StepView::name).toList();
    assertTrue(order.indexOf("shop-db-1: configure (admit)") < order.indexOf("shop-db-2: configure"), order.toString());
    assertTrue(order.indexOf("shop-db-2: caught up") < order.indexOf("shop-db-1: configure (sync)"), order.toString());

    OperationView promoted = ok(f.plane.promoteMember("shop", "db", "shop-db-2", "deployer"));
    assertEquals("deployer", promoted.actor());
    s = service("shop");
    assertEquals("shop-db-2", member(s, "primary").name());
    assertEquals(Set.of("shop-db-2"), holders(s));
    order = promoted.steps().stream().map(StepView::name).toList();
    assertTrue(order.indexOf("shop-db-1: role (demote)") < order.indexOf("shop-db-2: role (promote)"),
        "the old primary is fenced before the new one takes writes: " + order);
    OperationView noOp = f.plane.promoteMember("shop", "db", "shop-db-2", "deployer");
    assertEquals("success", noOp.status(), "the primary: a no-op");
    assertEquals("deployer", noOp.actor());

    host.stop("shop-db-2", Duration.ZERO);
    f.plane.watchPrimaries();
    OperationView failover = awaitOperation("failover");
    s = service("shop");
    assertEquals("shop-db-1", member(s, "primary").name(), failover.steps().toString());
    assertNull(failover.actor(), "the watch started it, no token");
    assertEquals("demoted", s.members().stream().filter(m -> m.name().equals("shop-db-2")).findFirst().orElseThrow()
        .state());
    assertEquals(Set.of("shop-db-1"), holders(s), "fenced: the stopped member's NIC no longer carries it");
    assertEquals("degraded", f.plane.app("shop").state(), "a demoted member leaves the app degraded");

    host.start("shop-db-2");
    f.plane.watchPrimaries();
    awaitOperation("rejoin_member");
    s = service("shop");
    assertEquals("running", s.members().stream().filter(m -> m.name().equals("shop-db-2")).findFirst().orElseThrow()
        .state());
    assertEquals(Set.of("shop-db-1"), holders(s));
    assertEquals("running", f.plane.app("shop").state());

    ok(f.plane.convertService("shop", "db", "single"));
    s = service("shop");
    assertEquals(List.of("shop-db-1"), s.members().stream().map(MemberView::name).toList());
    assertEquals(Set.of("shop-db-1"), holders(s));
    ok(f.plane.deleteApp("shop"));
    assertEquals(0, f.plane.addressesInUse().get("dc1"), "the service address is released with the app");
  }

  /**
   * A failover whose server died after it demoted the lost primary and before the replica took over (the
   * recovery only releases the service): the watch sees a service without a primary but with a demoted
   * member, and fails over again.
   */
  @Test
  void aFailoverCutShortAfterTheDemotionIsFinishedByTheWatch() throws Exception {
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", "redundant", null, null))));
    assertEquals("shop-db-1", member(service("shop"), "primary").name());
    host.stop("shop-db-1", Duration.ZERO);
    // what the dead server's failover had stored before it died
    var store = f.plane.store();
    store.setMemberRole("shop-db-1", "replica");
    assertTrue(store.changeMemberState("shop-db-1", dev.cadre.manager.lifecycle.MemberState.RUNNING,
        dev.cadre.manager.lifecycle.MemberState.DEMOTED, "was the primary until a failover"));
    assertTrue(service("shop").members().stream().noneMatch(m -> "primary".equals(m.role())), "headless");

    f.plane.watchPrimaries();
    OperationView failover = awaitOperation("failover");
    ServiceView s = service("shop");
    assertEquals("shop-db-2", member(s, "primary").name(), failover.steps().toString());
    assertEquals(Set.of("shop-db-2"), holders(s));
    assertEquals("demoted", s.members().get(0).state());
  }

  @Test
  void aNewReplicaWhoseAddressWasHeldElsewhereIsAdmittedAgainAtItsNewAddress() throws Exception {
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", null, null, null))));
    // the next free address (the replica's first) is held by a container cadre does not know
    String first = f.plane.store().allocatedAddresses("dc1").stream().max(String::compareTo).orElseThrow();
    String stale = first.substring(0, first.lastIndexOf('.') + 1) + (Integer.parseInt(first.substring(first.lastIndexOf('.') + 1)) + 1);
    f.factory.stale.add(stale);
    OperationView up = ok(f.plane.convertService("shop", "db", "redundant"));
    String replicaIp = member(service("shop"), "replica").ip();
    assertTrue(up.steps().stream().anyMatch(st -> st.name().endsWith(": new address")), up.steps().toString());
    assertTrue(!replicaIp.equals(stale), replicaIp);
    // the primary's last configure before the replica's own saw the replica's final address
    var configures = f.hooks.calls.stream().filter(c -> c.hook().equals("configure")).toList();
    int replicaFirst = -1;
    for (int i = 0; i < configures.size(); i++) {
      if (configures.get(i).instance().equals("shop-db-2")) {
        replicaFirst = i;
        break;
      }
    }
    assertTrue(replicaFirst > 0, configures.toString());
    var admitted = configures.subList(0, replicaFirst).stream().filter(c -> c.instance().equals("shop-db-1")).toList();
    String members = admitted.get(admitted.size() - 1).env().get("CADRE_MEMBERS");
    assertTrue(members.contains("shop-db-2=" + replicaIp + "="), members);
    assertTrue(!members.contains(stale + "="), members);
  }

  @Test
  void badRequestsAreRefusedUpFrontAndChangeNothing() throws Exception {
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", null, null, null),
        Fixture.busybox("web", 1))));
    ConflictException undeclared = assertThrows(ConflictException.class,
        () -> f.plane.convertService("shop", "db", "sharded"));
    assertTrue(undeclared.getMessage().contains("single, redundant"), undeclared.getMessage());
    assertThrows(ConflictException.class, () -> f.plane.convertService("shop", "web", "redundant"),
        "busybox declares no replicas");
    assertThrows(NotFoundException.class, () -> f.plane.convertService("shop", "nope", "redundant"));
    assertThrows(NotFoundException.class, () -> f.plane.promoteMember("shop", "db", "shop-web-1"),
        "a member of another service");
    assertEquals("success", f.plane.convertService("shop", "db", "single").status(), "already single: a no-op");

    // a datacenter that cannot hold the replica: 409 before anything is made
    ok(f.plane.createApp(Fixture.app("fill", "dc1", new ServiceRequest("db", "redis", "single", 30, null))));
    int members = f.plane.summary().members();
    int addresses = f.plane.addressesInUse().get("dc1");
    ConflictException full = assertThrows(ConflictException.class,
        () -> f.plane.convertService("shop", "db", "redundant"));
    assertTrue(full.getMessage().contains("memory") || full.getMessage().contains("capacity")
        || full.getMessage().contains("no host"), full.getMessage());
    assertEquals(members, f.plane.summary().members());
    assertEquals(addresses, f.plane.addressesInUse().get("dc1"));
    assertEquals("ready", service("shop").state());
  }

  @Test
  void dependentsSeeTheirDependenciesAndAreToldWhenTheyChange() throws Exception {
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", null, null, null),
        new ServiceRequest("web", "busybox", null, 1, Map.of(), List.of("db")))));
    AppView app = f.plane.app("shop");
    ServiceView db = app.services().stream().filter(s -> s.name().equals("db")).findFirst().orElseThrow();
    ServiceView web = app.services().stream().filter(s -> s.name().equals("web")).findFirst().orElseThrow();
    assertEquals(List.of("db"), web.dependsOn());
    Map<String, String> env = lastConfigure("shop-web-1");
    assertEquals("db", env.get("CADRE_DEPENDS_ON"));
    assertEquals(db.address(), env.get("CADRE_DEP_DB_ADDRESS"), "the dependency's service address");
    assertEquals("6379", env.get("CADRE_DEP_DB_PORT"));
    assertEquals(db.secrets().get("password"), env.get("CADRE_DEP_DB_SECRET_PASSWORD"));
    assertEquals(db.members().get(0).ip(), env.get("CADRE_DEP_DB_MEMBERS"));

    long before = configures("shop-web-1");
    OperationView up = ok(f.plane.convertService("shop", "db", "redundant"));
    assertEquals(before + 1, configures("shop-web-1"), "the dependent is configured again: " + up.steps());
    env = lastConfigure("shop-web-1");
    assertEquals(2, env.get("CADRE_DEP_DB_MEMBERS").split(" ").length, "it sees the new member");
    assertEquals(db.address(), env.get("CADRE_DEP_DB_ADDRESS"), "and the same service address");
  }

  @Test
  void dependenciesMustNameOtherServicesOfTheAppWithoutACircle() {
    var unknown = assertThrows(dev.cadre.driver.InvalidInputException.class, () -> f.plane.createApp(Fixture.app("a",
        "dc1", new ServiceRequest("web", "busybox", null, 1, Map.of(), List.of("db")))));
    assertTrue(unknown.getMessage().contains("not a service of the app"), unknown.getMessage());
    var circle = assertThrows(dev.cadre.driver.InvalidInputException.class, () -> f.plane.createApp(Fixture.app("a",
        "dc1", new ServiceRequest("x", "busybox", null, 1, Map.of(), List.of("y")),
        new ServiceRequest("y", "busybox", null, 1, Map.of(), List.of("z")),
        new ServiceRequest("z", "busybox", null, 1, Map.of(), List.of("x")))));
    assertTrue(circle.getMessage().contains("circle"), circle.getMessage());
    assertThrows(dev.cadre.driver.InvalidInputException.class, () -> f.plane.createApp(Fixture.app("a", "dc1",
        new ServiceRequest("x", "busybox", null, 1, Map.of(), List.of("x")))));
    assertEquals(0, f.plane.apps().size(), "nothing stored");
  }

  @Test
  void aDrainedPrimaryKeepsTheServiceAddressOnItsNewHost() throws Exception {
    FakeHostDriver other = f.host("h2", "10.77.0.1/24");
    assertEquals("success", f.done(f.register("h2", "dc1")).status());
    ok(f.plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("db", "redis", null, null, null))));
    ServiceView s = service("shop");
    MemberView primary = member(s, "primary");
    String from = primary.host();
    FakeHostDriver source = from.equals("h1") ? host : other;
    FakeHostDriver target = from.equals("h1") ? other : host;
    assertEquals(Set.of(s.address()), source.assignedAddresses(primary.name()));
    ok(f.plane.drainHost(from));
    assertTrue(source.find(primary.name()).isEmpty(), "the member left the drained host");
    assertEquals(Set.of(s.address()), target.assignedAddresses(primary.name()),
        "the service address followed the primary to its new host");
  }

  private Map<String, String> lastConfigure(String member) {
    return f.hooks.calls.stream().filter(c -> c.instance().equals(member) && c.hook().equals("configure"))
        .reduce((a, b) -> b).orElseThrow().env();
  }

  private long configures(String member) {
    return f.hooks.calls.stream().filter(c -> c.instance().equals(member) && c.hook().equals("configure")).count();
  }
}

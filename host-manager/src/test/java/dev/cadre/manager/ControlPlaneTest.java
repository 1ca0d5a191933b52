package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.templates.Agent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {
  @TempDir
  Path dir;
  Fixture f;
  FakeHostDriver h1;
  FakeHostDriver h2;
  CadreControlPlane plane;

  @BeforeEach
  void open() {
    f = new Fixture(dir, false);
    h1 = f.host("h1", "10.77.0.1/24");
    h2 = f.host("h2", "10.77.0.1/24");
    plane = f.open();
    assertEquals("success", f.register("h1", "dc1").status());
    assertEquals("success", f.register("h2", "dc1").status());
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void theOnlyServerOfTheEmbeddedStoreLeadsAndListsItself() {
    List<ServerView> servers = plane.servers();
    assertEquals(1, servers.size(), servers.toString());
    ServerView me = servers.get(0);
    assertTrue(me.self() && me.leader() && me.alive(), me.toString());
    assertEquals(plane.leadership().server(), me.id());
    assertEquals(plane.leadership().epoch(), me.epoch());
    assertTrue(plane.leadership().holds());
  }

  @Test
  void registersHostsIntoOneDatacenterWithThePoolFromTheFirstHostsNetwork() {
    HostView h = plane.host("h1");
    assertEquals("ready", h.state());
    assertEquals("dc1", h.datacenter());
    assertEquals(4, h.cpus());
    var dc = plane.store().datacenter("dc1").orElseThrow();
    assertEquals("10.77.0.0/24", dc.subnet());
    assertEquals("10.77.0.1", dc.gateway());
    assertEquals("10.77.0.128", dc.poolStart());
    assertEquals("10.77.0.254", dc.poolEnd());
    assertEquals(2, plane.summary().hosts());
  }

  @Test
  void aFirstStartTheHostFailsIsTriedOnceMoreAndASecondFailureFailsTheMember() throws Exception {
    h1.failStarts.set(1);
    h2.failStarts.set(1);
    OperationView once = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertEquals("success", once.status(), once.error());
    assertTrue(once.steps().stream().anyMatch(st -> st.name().endsWith(": start") && st.detail() != null
        && st.detail().contains("starting it once more")), once.steps().toString());

    h1.failStarts.set(2);
    h2.failStarts.set(2);
    OperationView twice = f.done(plane.createApp(Fixture.app("cart", "dc1", Fixture.busybox("web", 1))));
    assertEquals("failure", twice.status(), twice.steps().toString());
    assertEquals(1, h1.list().size() + h2.list().size(), "the failed member's container is gone, shop's stays");
  }

  @Test
  void anOperationKeepsTheNameOfTheTokenThatStartedIt() throws Exception {
    OperationView created = plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1)), "deployer");
    assertEquals("deployer", created.actor());
    assertEquals("deployer", f.done(created).actor(), "read back from the store");
    assertEquals("deployer", plane.store().operation(created.id()).orElseThrow().actor());
    assertEquals("admin", f.done(plane.deleteApp("shop", "admin")).actor());
    f.host("h3", "10.77.0.1/24");
    assertNull(f.register("h3", "dc1").actor(), "no token asked");
  }

  @Test
  void refusesBadHostRegistrations() {
    f.host("h3", "10.99.0.1/24");
    f.host("h4", "10.77.0.1/24");
    var other = assertThrows(ConflictException.class, () -> f.register("h3", "dc1"));
    assertTrue(other.getMessage().contains("10.99.0.0/24") && other.getMessage().contains("10.77.0.0/24"), other.getMessage());
    assertThrows(ConflictException.class, () -> f.register("h1", "dc1"));
    assertThrows(ConflictException.class,
        () -> plane.registerHost(new HostRequest("h9", "fake", "fake://h1", "dc1", "net0", null)));
    var driver = assertThrows(InvalidInputException.class,
        () -> plane.registerHost(new HostRequest("h4", "nope", "fake://h4", "dc1", "net0", null)));
    assertTrue(driver.getMessage().contains("unknown driver 'nope'"), driver.getMessage());
    assertThrows(InvalidInputException.class,
        () -> plane.registerHost(new HostRequest("H4", "fake", "fake://h4", "dc1", "net0", null)));
    var net = assertThrows(InvalidInputException.class,
        () -> plane.registerHost(new HostRequest("h4", "fake", "fake://h4", "dc1", "lxdbr9", null)));
    assertTrue(net.getMessage().contains("no network 'lxdbr9'"), net.getMessage());
    assertThrows(InvalidInputException.class,
        () -> plane.registerHost(new HostRequest("h4", "fake", "fake://h4", "dc_1", "net0", null)));
    assertEquals(2, plane.hosts().size());
    // a new datacenter takes the subnet of its first host
    assertEquals("success", f.register("h3", "dc2").status());
    assertEquals("10.99.0.0/24", plane.store().datacenter("dc2").orElseThrow().subnet());
  }

  @Test
  void provisionsMembersSpreadOverHostsWithAddressesFromThePool() throws Exception {
    OperationView op = plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
    assertEquals("create_app", op.kind());
    OperationView end = f.done(op);
    assertEquals("success", end.status(), end.toString());
    assertEquals(100, end.progress());

    AppView app = plane.app("shop");
    assertEquals("running", app.state());
    List<MemberView> members = app.services().get(0).members();
    assertEquals(List.of("shop-web-1", "shop-web-2"), members.stream().map(MemberView::name).toList());
    assertEquals(Set.of("h1", "h2"), members.stream().map(MemberView::host).collect(Collectors.toSet()));
    for (MemberView m : members) {
      assertEquals("running", m.state());
      int ip = Subnet.toInt(m.ip());
      assertTrue(ip >= Subnet.toInt("10.77.0.128") && ip <= Subnet.toInt("10.77.0.254"), m.ip());
      FakeHostDriver host = m.host().equals("h1") ? h1 : h2;
      Instance i = host.get(m.name());
      assertTrue(i.running());
      assertEquals(m.ip(), i.configuredIpv4());
      assertEquals("shop", i.metadata().get("cadre.app"));
      assertEquals(plane.store().storeId(), i.metadata().get("cadre.store"));
      assertEquals(Agent.script().length, host.file(m.name(), Agent.PATH).length);
      assertEquals(List.of("plan", "configure", "start", "health"), f.hooks.hooksOf(m.name()));
    }
    assertNotEquals(members.get(0).ip(), members.get(1).ip());

    var configure = f.hooks.calls.stream().filter(c -> c.hook().equals("configure") && c.instance().equals("shop-web-1"))
        .findFirst().orElseThrow();
    assertEquals(members.get(0).ip(), configure.env().get("CADRE_MEMBER_IP"));
    assertEquals("hello", configure.env().get("CADRE_CONFIG_GREETING"));
    assertEquals("24", configure.env().get("CADRE_NETWORK_PREFIX"));
    assertEquals("10.77.0.1", configure.env().get("CADRE_GATEWAY"));
    assertTrue(configure.env().get("CADRE_MEMBERS").contains("shop-web-2=" + members.get(1).ip() + "=primary"));
    assertTrue(configure.payload().contains("\"members\""));
    // command ids are a function of (operation, member, hook): a replay after a crash sends the same one
    assertEquals(dev.cadre.manager.hooks.CommandIds.of(op.id(), "shop-web-1", "configure", 1), configure.commandId());
    assertTrue(end.steps().stream().anyMatch(s -> s.name().equals("shop-web-2: health")));
  }

  @Test
  void refusesInvalidAppsUpFront() {
    List<Runnable> bad = List.of(
        () -> plane.createApp(Fixture.app("Shop", "dc1", Fixture.busybox("web", 1))),
        () -> plane.createApp(Fixture.app("shop;rm", "dc1", Fixture.busybox("web", 1))),
        () -> plane.createApp(Fixture.app("shop", "dc9", Fixture.busybox("web", 1))),
        () -> plane.createApp(Fixture.app("shop", "dc1")),
        () -> plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web/x", 1))),
        () -> plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 0))),
        () -> plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 101))),
        () -> plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1), Fixture.busybox("web", 1))),
        () -> plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("web", "nosuch", null, 1, null))),
        () -> plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("web", "busybox", "ring", 1, null))),
        () -> plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("web", "busybox", null, 1, Map.of("Bad-Key", "v")))),
        () -> plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("web", "busybox", null, 1, Map.of("k", "a\0b")))),
        () -> plane.createApp(Fixture.app("shop", "dc1", new ServiceRequest("web", "busybox", null, 1, Map.of("k", "x".repeat(4097))))),
        () -> plane.createApp(Fixture.app("a".repeat(40), "dc1", Fixture.busybox("b".repeat(40), 1))));
    for (Runnable r : bad) {
      assertThrows(InvalidInputException.class, r::run);
    }
    assertTrue(plane.apps().isEmpty());
    assertEquals(0, plane.summary().members());
  }

  @Test
  void refusesWhatNoHostCanHoldWithTheReasonAndCreatesNothing() {
    // the pool of a /24 holds 127 members
    var e = assertThrows(ConflictException.class,
        () -> plane.createApp(Fixture.app("big", "dc1", Fixture.busybox("web", 70), Fixture.busybox("api", 70))));
    assertTrue(e.getMessage().contains("has 127 free addresses, the app needs 140"), e.getMessage());
    assertTrue(plane.apps().isEmpty());
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
    assertEquals(0, h1.list().size() + h2.list().size());
  }

  @Test
  void refusesWhenCpuRunsOutAndNamesTheHosts() throws Exception {
    f.host("h5", "10.80.0.1/24");
    f.register("h5", "dc5");
    var ok = f.done(plane.createApp(Fixture.app("one", "dc5", Fixture.busybox("web", 60))));
    assertEquals("success", ok.status(), ok.error());
    var e = assertThrows(ConflictException.class,
        () -> plane.createApp(Fixture.app("two", "dc5", Fixture.busybox("web", 5))));
    // each fake host has 4 cpus x 16 = 64 member cpus; busybox members need 1 each
    assertTrue(e.getMessage().contains("member 5 of 5") && e.getMessage().contains("h5 has only 0 cpu free"),
        e.getMessage());
    assertTrue(plane.store().app("two").isEmpty());
  }

  @Test
  void duplicateAppIsAConflict() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertThrows(ConflictException.class, () -> plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    // and names that would make the same container names
    f.done(plane.createApp(Fixture.app("a-b", "dc1", Fixture.busybox("c", 1))));
    assertThrows(ConflictException.class, () -> plane.createApp(Fixture.app("a", "dc1", Fixture.busybox("b-c", 1))));
    assertTrue(plane.store().app("a").isEmpty());
  }

  @Test
  void aFailingHookFailsTheOperationWithItsStderrAndLeaksNothing() throws Exception {
    f.hooks.fail("shop-web-2", "configure", 1, "configure: cannot write /etc/web.conf");
    OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    assertEquals("failure", end.status());
    assertTrue(end.error().contains("cannot write /etc/web.conf"), end.error());
    assertTrue(end.error().contains("shop-web-2"), end.error());
    AppView app = plane.app("shop");
    assertEquals("degraded", app.state());
    MemberView failed = app.services().get(0).members().get(1);
    assertEquals("failed", failed.state());
    assertTrue(failed.error().contains("hook 'configure' failed (exit 1)"), failed.error());
    assertTrue(h1.find("shop-web-2").isEmpty() && h2.find("shop-web-2").isEmpty());
    assertEquals(Set.of(app.services().get(0).members().get(0).ip()), plane.store().allocatedAddresses("dc1"));
    assertFalse(f.hooks.hooksOf("shop-web-2").contains("start"));

    f.done(plane.deleteApp("shop"));
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
    assertEquals(0, h1.list().size() + h2.list().size());
  }

  @Test
  void aPageOfAppsIsReadAtOnceAndFailedMembersHoldNoRoom() throws Exception {
    f.done(plane.createApp(Fixture.app("b-shop", "dc1", Fixture.busybox("web", 3), Fixture.busybox("db", 1))));
    f.done(plane.createApp(Fixture.app("a-blog", "dc1", Fixture.busybox("web", 1))));
    assertEquals(List.of("a-blog", "b-shop"), plane.appNames());
    assertEquals(plane.apps(), plane.apps(List.of("a-blog", "b-shop")));
    assertEquals(List.of(plane.app("b-shop"), plane.app("a-blog")), plane.apps(List.of("b-shop", "gone", "a-blog")));
    assertEquals(5, plane.store().placedUse().stream().mapToLong(u -> u.cpus()).sum(), "a busybox member holds 1 CPU");

    f.hooks.fail(null, "health", 1, "health: no answer");
    var kept = new AppRequest("c-kept", "dc1", List.of(Fixture.busybox("web", 2)), true);
    assertEquals("failure", f.done(plane.createApp(kept)).status());
    assertEquals(5, plane.store().placedUse().stream().mapToLong(u -> u.cpus()).sum(), "failed members hold nothing");
    assertEquals(320, plane.store().placedUse().stream().mapToLong(u -> u.memoryMiB()).sum());
  }

  @Test
  void keepFailedKeepsTheContainerAndItsAddress() throws Exception {
    f.hooks.fail(null, "health", 1, "health: no answer");
    var req = new AppRequest("shop", "dc1", List.of(Fixture.busybox("web", 1)), true);
    OperationView end = f.done(plane.createApp(req));
    assertEquals("failure", end.status());
    assertTrue(end.error().contains("no answer") && end.error().contains("after 3 attempts"), end.error());
    assertEquals(1, h1.list().size() + h2.list().size());
    assertEquals(1, plane.store().allocatedAddresses("dc1").size());
    assertEquals("failed", plane.app("shop").state());
    f.done(plane.deleteApp("shop"));
    assertEquals(0, h1.list().size() + h2.list().size());
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
  }

  @Test
  void retryLaterIsRetriedWithANewCommandId() throws Exception {
    f.hooks.fail("shop-web-1", "start", 2, "not yet");
    OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertEquals("failure", end.status());
    var starts = f.hooks.calls.stream().filter(c -> c.hook().equals("start")).map(ScriptedHooks.Call::commandId).toList();
    assertEquals(5, starts.size());
    assertEquals(5, new HashSet<>(starts).size());
    assertTrue(end.error().contains("retry later"), end.error());
  }

  @Test
  void deleteRemovesEveryContainerAndAddress() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 3), Fixture.busybox("api", 2))));
    assertEquals(5, plane.store().allocatedAddresses("dc1").size());
    assertThrows(ConflictException.class, () -> plane.removeHost("h1"));
    OperationView del = f.done(plane.deleteApp("shop"));
    assertEquals("success", del.status(), del.error());
    assertThrows(NotFoundException.class, () -> plane.app("shop"));
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
    assertEquals(0, h1.list().size() + h2.list().size());
    assertEquals("success", plane.removeHost("h1").status());
    assertThrows(NotFoundException.class, () -> plane.host("h1"));
    assertThrows(NotFoundException.class, () -> plane.deleteApp("shop"));
  }

  @Test
  void cancelStopsAfterTheCurrentStepAndRollsBack() throws Exception {
    f.hooks.blockHook = "health";
    OperationView op = plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
    assertTrue(f.hooks.blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
    plane.cancel(op.id());
    f.hooks.release.countDown();
    OperationView end = f.done(op);
    assertEquals("cancelled", end.status(), end.toString());
    assertThrows(NotFoundException.class, () -> plane.app("shop"));
    assertEquals(0, h1.list().size() + h2.list().size());
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
  }

  @Test
  void deleteDuringCreateStopsTheCreateFirst() throws Exception {
    f.hooks.blockHook = "configure";
    OperationView create = plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
    assertTrue(f.hooks.blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
    OperationView del = plane.deleteApp("shop");
    for (int i = 0; i < 3000 && plane.operation(create.id()).steps().stream()
        .noneMatch(s -> s.name().equals("cancel requested")); i++) {
      sleep(10);
    }
    f.hooks.release.countDown();
    assertEquals("success", f.done(del).status());
    assertEquals("cancelled", f.done(create).status());
    assertEquals(0, h1.list().size() + h2.list().size());
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
  }

  @Test
  void fiftyMembersAtOnce() throws Exception {
    OperationView end = f.done(plane.createApp(Fixture.app("many", "dc1", Fixture.busybox("web", 50))));
    assertEquals("success", end.status(), end.error());
    List<MemberView> members = plane.app("many").services().get(0).members();
    assertEquals(50, members.size());
    assertEquals(50, members.stream().map(MemberView::ip).distinct().count());
    assertTrue(members.stream().allMatch(m -> m.state().equals("running")));
    assertEquals(25, h1.list().size());
    assertEquals(25, h2.list().size());
  }

  @Test
  void awaitWakesOnCompletionAndEventsArriveInOrder() throws Exception {
    List<EventView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = plane.subscribe(seen::add)) {
      f.hooks.blockHook = "start";
      OperationView op = plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1)));
      assertTrue(f.hooks.blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
      assertFalse(plane.await(op.id(), Duration.ofMillis(100)).done());
      new Thread(() -> {
        sleep(200);
        f.hooks.release.countDown();
      }).start();
      Duration timeout = Duration.ofSeconds(60);
      long t0 = System.nanoTime();
      OperationView end = plane.await(op.id(), timeout);
      assertTrue(end.done());
      // woken by the end of the operation (200 ms in), not by its timeout: a bound against the timeout
      Duration waited = Duration.ofNanos(System.nanoTime() - t0);
      assertTrue(waited.compareTo(timeout.dividedBy(2)) < 0, "await took " + waited + " of its " + timeout);
      for (int i = 0; i < 1500 && seen.stream().noneMatch(e -> "success".equals(e.data().get("status"))); i++) {
        sleep(20);
      }
    }
    List<Long> ids = new ArrayList<>(seen.stream().map(EventView::id).toList());
    assertEquals(ids.stream().sorted().toList(), ids);
    assertTrue(seen.stream().anyMatch(e -> e.type().equals("member") && "running".equals(e.data().get("state"))));
    assertTrue(seen.stream().anyMatch(e -> e.type().equals("health")));
    assertTrue(seen.stream().anyMatch(e -> e.type().equals("operation") && "success".equals(e.data().get("status"))));
  }

  @Test
  void aHostThatStopsAnsweringBecomesUnreachableAndGetsNoMembers() throws Exception {
    List<EventView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = plane.subscribe(seen::add)) {
      f.factory.down.add("h2");
      plane.probeHosts();
      HostView h = plane.host("h2");
      assertEquals("unreachable", h.state());
      assertTrue(h.lastError().contains("connection refused"), h.lastError());
      OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
      assertEquals("success", end.status(), end.error());
      assertTrue(plane.app("shop").services().get(0).members().stream().allMatch(m -> m.host().equals("h1")));

      f.factory.down.add("h1");
      plane.probeHosts();
      var e = assertThrows(ConflictException.class,
          () -> plane.createApp(Fixture.app("more", "dc1", Fixture.busybox("web", 1))));
      assertTrue(e.getMessage().contains("no ready host"), e.getMessage());
      // a delete while the host is down fails and keeps what it could not remove, addresses included
      OperationView del = f.done(plane.deleteApp("shop"));
      assertEquals("failure", del.status());
      assertTrue(del.error().contains("connection refused"), del.error());
      assertEquals(2, plane.store().allocatedAddresses("dc1").size());

      f.factory.down.clear();
      plane.probeHosts();
      assertEquals("ready", plane.host("h2").state());
      assertEquals("success", f.done(plane.deleteApp("shop")).status());
      assertEquals(0, h1.list().size());
      assertEquals(Map.of("dc1", 0), plane.addressesInUse());
      for (int i = 0; i < 1500 && seen.stream().noneMatch(ev -> ev.type().equals("host") && "ready".equals(ev.data().get("state"))); i++) {
        sleep(20);
      }
    }
    assertTrue(seen.stream().anyMatch(e -> e.type().equals("host") && "unreachable".equals(e.data().get("state"))));
    assertTrue(seen.stream().anyMatch(e -> e.type().equals("host") && "ready".equals(e.data().get("state"))));
  }

  @Test
  void healthIsWatchedAfterProvisioning() throws Exception {
    assertEquals("success", f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)))).status());
    assertEquals(0, plane.checkHealth());
    f.hooks.fail("shop-web-1", "health", 1, "health: no answer from http://x/");
    assertEquals(1, plane.checkHealth());
    MemberView sick = plane.app("shop").services().get(0).members().get(0);
    assertEquals("unhealthy", sick.state());
    assertTrue(sick.error().contains("no answer"), sick.error());
    assertEquals("running", plane.app("shop").services().get(0).members().get(1).state());
    assertEquals("degraded", plane.app("shop").state(), "the app follows its members' health");
    assertEquals(0, plane.checkHealth());
    f.hooks.answers.clear();
    assertEquals(1, plane.checkHealth());
    assertEquals("running", plane.app("shop").services().get(0).members().get(0).state());
    assertEquals("running", plane.app("shop").state());
    // every round sends new command ids (the agent would replay an old one)
    var ids = f.hooks.calls.stream().filter(c -> c.hook().equals("health") && c.instance().equals("shop-web-1"))
        .map(ScriptedHooks.Call::commandId).toList();
    assertEquals(ids.size(), new HashSet<>(ids).size());
  }

  @Test
  void anAddressSomeoneElseHoldsIsQuarantinedAndReplaced() throws Exception {
    f.factory.stale.add("10.77.0.128");
    OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    assertEquals("success", end.status(), end.error());
    Set<String> ips = plane.app("shop").services().get(0).members().stream().map(MemberView::ip)
        .collect(Collectors.toSet());
    assertFalse(ips.contains("10.77.0.128"));
    assertTrue(end.steps().stream().anyMatch(s -> s.name().endsWith(": new address")
        && s.detail().contains("10.77.0.128 is held elsewhere")), end.steps().toString());
    // the quarantined address is kept from everyone but counts as nobody's
    assertTrue(plane.store().allocatedAddresses("dc1").contains("10.77.0.128"));
    assertEquals(Map.of("dc1", 2), plane.addressesInUse());
    // every configure saw the final addresses of its peers
    var configure = f.hooks.calls.stream().filter(c -> c.hook().equals("configure")).toList();
    for (var c : configure) {
      assertFalse(c.env().get("CADRE_MEMBERS").contains("10.77.0.128"), c.env().get("CADRE_MEMBERS"));
    }
    f.done(plane.deleteApp("shop"));
    assertEquals(Set.of("10.77.0.128"), plane.store().allocatedAddresses("dc1"));
  }

  @Test
  void anAddressAnotherTenantHoldsIsSteppedOver() throws Exception {
    f.factory.claimed.add("10.77.0.128");
    f.factory.claimed.add("10.77.0.129");
    OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    assertEquals("10.77.0.130", plane.app("shop").services().get(0).members().get(0).ip());
    assertTrue(end.steps().stream().anyMatch(s -> s.status().equals("failed")
        && s.detail().contains("10.77.0.128 is on another NIC")), end.steps().toString());
    assertEquals(Map.of("dc1", 1), plane.addressesInUse());
    assertEquals(1, h1.list().size() + h2.list().size());
  }

  @Test
  void aHostThatDoesNotAnswerForAMomentWhileTheAddressIsAwaitedDoesNotFailTheMember() throws Exception {
    f.factory.findTimeouts.set(3);
    OperationView end = f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    assertEquals(0, f.factory.findTimeouts.get(), "the timeouts were met");
    assertEquals("running", plane.app("shop").services().get(0).members().get(0).state());
  }

  @Test
  void unknownOperationIsNotFound() {
    assertThrows(NotFoundException.class, () -> plane.operation("nope"));
    assertThrows(NotFoundException.class, () -> plane.cancel("nope"));
    assertThrows(NotFoundException.class, () -> plane.await("nope", Duration.ofMillis(10)));
  }

  @Test
  void aMoveIsPlannedThenMadeAndEveryBadRequestChangesNothing() throws Exception {
    FakeHostDriver h5 = f.host("h5", "10.80.0.1/24");
    assertEquals("success", f.register("h5", "dc5").status());
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    Map<String, Integer> before = plane.addressesInUse();
    assertThrows(NotFoundException.class, () -> plane.planMove("shop", "dc9"));
    assertThrows(NotFoundException.class, () -> plane.planMove("nope", "dc5"));
    assertThrows(ConflictException.class, () -> plane.planMove("shop", "dc1"), "already there");
    assertThrows(dev.cadre.driver.InvalidInputException.class, () -> plane.planMove("shop", "dc5", "teleport"));
    MovePlan plan = plane.planMove("shop", "dc5");
    assertEquals(List.of("h5", "h5"), plan.members().stream().map(MovePlan.Member::toHost).toList());
    assertEquals(List.of("10.80.0.128", "10.80.0.129"), plan.members().stream().map(MovePlan.Member::toIp).toList());
    assertEquals(before, plane.addressesInUse(), "a plan reserves nothing");
    assertTrue(h5.list().isEmpty(), "a plan copies nothing");

    OperationView end = f.done(plane.moveApp("shop", "dc5"));
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    assertEquals("dc5", plane.app("shop").datacenter());
    for (MemberView m : plane.app("shop").services().get(0).members()) {
      assertEquals("h5", m.host());
      assertTrue(m.ip().startsWith("10.80.0."), m.ip());
      assertEquals("running", m.state());
      assertTrue(h5.get(m.name()).running());
    }
    assertTrue(h1.list().isEmpty() && h2.list().isEmpty(), "the sources are gone");
    assertEquals(Map.of("dc1", 0, "dc5", 2), plane.addressesInUse());
    assertEquals("ready", plane.app("shop").services().get(0).state());
    assertTrue(plane.store().moves("shop").isEmpty());
  }

  /** Each member's copy is a step that runs with the bytes sent so far, then ends with the figure it ended at. */
  @Test
  void aMoveShowsEachCopyRunningWithItsBytesThenDone() throws Exception {
    f.host("h5", "10.80.0.1/24");
    assertEquals("success", f.register("h5", "dc5").status());
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    String member = plane.app("shop").services().get(0).members().get(0).name();
    FakeHostDriver source = plane.app("shop").services().get(0).members().get(0).host().equals("h1") ? h1 : h2;
    source.pushFile(member, dev.cadre.driver.FileSpec.of("/var/www/blob", new byte[3 << 20], 0644));

    java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
    f.factory.copyHold = hold;
    OperationView op = plane.moveApp("shop", "dc5");
    StepView running = null;
    for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); running == null
        && System.nanoTime() < deadline; Thread.sleep(20)) {
      running = plane.operation(op.id()).steps().stream()
          .filter(s -> s.name().equals(member + ": pre-copy") && s.detail().contains("sent")).findFirst().orElse(null);
    }
    hold.countDown();
    f.factory.copyHold = null;
    assertTrue(running != null, "no pre-copy step showed its bytes: " + plane.operation(op.id()).steps());
    assertEquals("running", running.status());
    assertTrue(running.detail().matches("h[12] -> h5 while it serves, 3\\.0 MiB sent"), running.detail());

    OperationView end = f.done(op);
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    StepView preCopy = end.steps().stream().filter(s -> s.name().equals(member + ": pre-copy")).findFirst().orElseThrow();
    assertEquals("done", preCopy.status());
    assertTrue(preCopy.detail().matches("h[12] -> h5 while it serves, \\d+ ms, 3\\.0 MiB sent"), preCopy.detail());
    StepView last = end.steps().stream().filter(s -> s.name().equals(member + ": final copy")).findFirst().orElseThrow();
    assertTrue(last.detail().matches("h[12] -> h5, refresh, \\d+ ms, 0 B sent"), "nothing changed since: " + last.detail());
    assertTrue(end.steps().stream().noneMatch(s -> s.status().equals("running")), end.steps().toString());
  }

  @Test
  void throughTheHooksAMemberIsMadeAfreshAtTheTargetAndTheSourceGoes() throws Exception {
    FakeHostDriver h5 = f.host("h5", "10.80.0.1/24");
    assertEquals("success", f.register("h5", "dc5").status());
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1))));
    assertEquals("hooks", plane.planMove("shop", "dc5", "hooks").members().get(0).method());
    OperationView end = f.done(plane.moveApp("shop", "dc5", "hooks"));
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    assertTrue(end.steps().stream().anyMatch(s -> s.name().equals("shop-web-1: created at the target")),
        end.steps().toString());
    assertTrue(end.steps().stream().noneMatch(s -> s.name().contains("pre-copy") || s.name().contains("copied")),
        "nothing was copied: " + end.steps());
    MemberView m = plane.app("shop").services().get(0).members().get(0);
    assertEquals("h5", m.host());
    assertEquals("running", m.state());
    assertTrue(h5.get(m.name()).running());
    assertTrue(h1.list().isEmpty() && h2.list().isEmpty(), "the source is gone");
    assertEquals(Map.of("dc1", 0, "dc5", 1), plane.addressesInUse());
  }

  @Test
  void aMoveTheTargetCannotHoldIsRefusedUpFront() throws Exception {
    f.host("h6", "10.81.0.1/24");
    assertEquals("success", f.register("h6", "dc6").status());
    f.done(plane.createApp(Fixture.app("big", "dc1", Fixture.busybox("web", 2))));
    assertEquals("success", f.done(plane.drainHost("h6")).status()); // dc6's only host takes no members
    var e = assertThrows(ConflictException.class, () -> plane.planMove("big", "dc6"));
    assertTrue(e.getMessage().contains("dc6") || e.getMessage().contains("h6"), e.getMessage());
    assertThrows(ConflictException.class, () -> plane.moveApp("big", "dc6"));
    assertEquals(Map.of("dc1", 2, "dc6", 0), plane.addressesInUse());
    assertEquals("ready", plane.app("big").services().get(0).state());
    assertTrue(plane.store().moves("big").isEmpty());
  }

  @Test
  void drainMovesRunningMembersKeepingTheirAddresses() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    Map<String, String> ipsBefore = plane.app("shop").services().get(0).members().stream()
        .collect(Collectors.toMap(MemberView::name, MemberView::ip));
    String onH1 = h1.list().get(0).name();
    OperationView end = f.done(plane.drainHost("h1"));
    assertEquals("success", end.status(), end.error() + " " + end.steps());
    assertEquals("drained", plane.host("h1").state());
    assertTrue(h1.list().isEmpty());
    assertEquals(2, h2.list().size());
    assertTrue(h2.get(onH1).running());
    for (MemberView m : plane.app("shop").services().get(0).members()) {
      assertEquals("h2", m.host());
      assertEquals("running", m.state());
      assertEquals(ipsBefore.get(m.name()), m.ip());
    }
    assertEquals(List.of("plan", "configure", "start", "health", "stop", "configure", "start", "health"),
        f.hooks.hooksOf(onH1));
    // a draining host gets no new members, and an empty one can go
    f.done(plane.createApp(Fixture.app("more", "dc1", Fixture.busybox("web", 2))));
    assertTrue(h1.list().isEmpty());
    assertEquals("success", plane.removeHost("h1").status());
  }

  @Test
  void aDrainThatFailsLeavesTheMemberWhereItWas() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    String onH1 = h1.list().get(0).name();
    f.hooks.fail(onH1, "configure", 1, "configure: disk full");
    OperationView end = f.done(plane.drainHost("h1"));
    assertEquals("failure", end.status());
    assertTrue(end.error().contains("disk full"), end.error());
    assertTrue(h1.get(onH1).running());
    assertTrue(h2.find(onH1).isEmpty());
    MemberView m = plane.app("shop").services().get(0).members().stream().filter(x -> x.name().equals(onH1))
        .findFirst().orElseThrow();
    assertEquals("h1", m.host());
    assertEquals("running", m.state());
    // a drain that failed leaves the host draining: nothing new lands there until it is resumed
    assertEquals("draining", plane.host("h1").state());
    assertEquals("success", plane.resumeHost("h1").status());
    assertEquals("ready", plane.host("h1").state());
  }

  @Test
  void aDrainedHostTakesNoMembersUntilResumedAndStaysDrainedWhileAway() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    var notDrained = assertThrows(ConflictException.class, () -> plane.resumeHost("h1"));
    assertTrue(notDrained.getMessage().contains("only a draining or drained host"), notDrained.getMessage());
    assertEquals("success", f.done(plane.drainHost("h1")).status());
    assertEquals("drained", plane.host("h1").state());
    plane.probeHosts();
    assertEquals("drained", plane.host("h1").state());
    f.factory.down.add("h1");
    plane.probeHosts();
    assertEquals("drained", plane.host("h1").state(), "a drained host that stops answering stays drained");
    assertTrue(plane.host("h1").lastError().contains("connection refused"), plane.host("h1").lastError());
    f.factory.down.clear();
    plane.probeHosts();
    assertEquals("drained", plane.host("h1").state());
    f.done(plane.createApp(Fixture.app("more", "dc1", Fixture.busybox("web", 2))));
    assertTrue(h1.list().isEmpty());
    // draining a drained host again is allowed (nothing to move) and ends drained
    assertEquals("success", f.done(plane.drainHost("h1")).status());
    assertEquals("drained", plane.host("h1").state());

    OperationView resumed = plane.resumeHost("h1");
    assertEquals("success", resumed.status());
    assertEquals("resume_host", resumed.kind());
    assertEquals("ready", plane.host("h1").state());
    assertThrows(ConflictException.class, () -> plane.resumeHost("h1"));
    assertThrows(NotFoundException.class, () -> plane.resumeHost("nope"));
    f.done(plane.createApp(Fixture.app("again", "dc1", Fixture.busybox("web", 2))));
    assertTrue(plane.app("again").services().get(0).members().stream().anyMatch(m -> m.host().equals("h1")),
        "a resumed host takes members again");
  }

  @Test
  void resumeIsRefusedWhileADrainRunsAndWorksOnceItIsCancelled() throws Exception {
    f.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2))));
    f.hooks.blockHook = "stop";
    OperationView drain = plane.drainHost("h1");
    assertTrue(f.hooks.blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
    var e = assertThrows(ConflictException.class, () -> plane.resumeHost("h1"));
    assertTrue(e.getMessage().contains(drain.id()), e.getMessage());
    assertEquals("draining", plane.host("h1").state());
    plane.cancel(drain.id());
    f.hooks.release.countDown();
    assertEquals("cancelled", f.done(drain).status());
    assertEquals("draining", plane.host("h1").state());
    assertEquals("success", plane.resumeHost("h1").status());
    assertEquals("ready", plane.host("h1").state());
    for (MemberView m : plane.app("shop").services().get(0).members()) {
      assertEquals("running", m.state(), m.toString());
    }
  }

  @Test
  void drainNeedsRoomElsewhere() throws Exception {
    f.host("h5", "10.80.0.1/24");
    f.register("h5", "dc5");
    f.done(plane.createApp(Fixture.app("solo", "dc5", Fixture.busybox("web", 1))));
    var e = assertThrows(ConflictException.class, () -> plane.drainHost("h5"));
    assertTrue(e.getMessage().contains("h5 is draining"), e.getMessage());
    assertEquals("ready", plane.host("h5").state());
    assertThrows(NotFoundException.class, () -> plane.drainHost("nope"));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

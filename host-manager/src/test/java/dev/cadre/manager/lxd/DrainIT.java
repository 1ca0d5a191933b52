package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.TemplateCatalog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain between two real LXD hosts of one datacenter: lxd1 and lxd3 ({@code scripts/lxd-hosts up}), whose
 * bridges share one layer-2 segment. Every member ends on lxd3 with its address and answers from here, the
 * host is drained and gets no new member until it is resumed. Skipped when the environment names no lxd3.
 */
class DrainIT {
  static final String HTTPS_3 = System.getenv("CADRE_LXD3_HTTPS");
  static final String NETWORK_3 = LxdControlPlaneIT.env("CADRE_LXD3_NETWORK", "cadrebr0");
  static final Path TRUST = Path.of(LxdControlPlaneIT.env("CADRE_LXD_TRUST_PASSWORD_FILE",
      "/var/lib/cadre-test/trust-password"));

  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String run = RunNames.suffix(5);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void open() {
    assumeTrue(HTTPS_3 != null && !HTTPS_3.isBlank(), "no CADRE_LXD3_HTTPS: scripts/lxd-hosts env names no third host");
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
    assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET,
        "dc1", LxdControlPlaneIT.NETWORK, null)).status());
  }

  void registerLxd3() throws Exception {
    String trust = Files.readString(TRUST).strip();
    assertEquals("success", plane.registerHost(new HostRequest("lxd3", "lxd", HTTPS_3, "dc1", NETWORK_3, trust)).status());
    assertEquals("ready", plane.host("lxd3").state());
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (plane == null) {
      return;
    }
    try {
      if (plane.host("lxd1").state().equals("drained")) {
        plane.resumeHost("lxd1");
      }
      for (AppView a : plane.apps()) {
        plane.await(plane.deleteApp(a.name()).id(), Duration.ofMinutes(2));
      }
      assertEquals(0, plane.addressesInUse().getOrDefault("dc1", 0), "every address released");
    } finally {
      String storeId = plane.store().storeId();
      plane.close();
      sweep(storeId, "lxd1", "unix://" + LxdControlPlaneIT.SOCKET);
      sweep(storeId, "lxd3", HTTPS_3);
    }
  }

  private void sweep(String storeId, String name, String endpoint) {
    try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open(name, endpoint, Map.of(), dir.resolve("data/drivers"))) {
      for (Instance i : d.list()) {
        if (storeId.equals(i.metadata().get(Containers.STORE))) {
          d.delete(i.name());
        }
      }
    } catch (RuntimeException e) {
      System.out.println("sweep of " + name + " failed: " + e);
    }
  }

  OperationView ok(OperationView started, int minutes) throws InterruptedException {
    OperationView end = plane.await(started.id(), Duration.ofMinutes(minutes));
    end.steps().forEach(st -> System.out.println("step " + st.at() + " " + st.name() + " " + st.detail()));
    assertEquals("success", end.status(), end.kind() + ": " + end.error() + "\n" + end.steps());
    return end;
  }

  List<MemberView> members(String app) {
    return plane.app(app).services().stream().flatMap(s -> s.members().stream()).toList();
  }

  /**
   * The member's own busybox page, fetched from here: its address reaches it. Asked for up to 10 s (neighbours
   * may still be learning where a moved address lives); what this machine's neighbour table says is printed
   * when it never answers.
   */
  void answers(MemberView m) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + m.ip() + "/"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), m.name());
        assertTrue(page.body().contains("cadre busybox member " + m.name()), page.body());
        return;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > end) {
          Process p = new ProcessBuilder("ip", "neigh", "show", m.ip()).redirectErrorStream(true).start();
          if (p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            System.out.println(m + " does not answer; neighbour: " + new String(p.getInputStream().readNBytes(4096)));
          }
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  Map<String, Instance> on(String host, String endpoint) {
    try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open(host, endpoint, Map.of(), dir.resolve("data/drivers"))) {
      String storeId = plane.store().storeId();
      return d.list().stream().filter(i -> storeId.equals(i.metadata().get(Containers.STORE)))
          .collect(Collectors.toMap(Instance::name, i -> i));
    }
  }

  @Test
  void drainedMembersKeepTheirAddressesOnTheOtherHostAndTheHostTakesNoneUntilResumed() throws Exception {
    String app = "dr" + run;
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("web", "busybox", null, 3, null)), false)), 5);
    // lxd3 joins after the app is placed: every member is on lxd1
    registerLxd3();
    Map<String, String> ips = members(app).stream().collect(Collectors.toMap(MemberView::name, MemberView::ip));
    for (MemberView m : members(app)) {
      assertEquals("lxd1", m.host());
      answers(m);
    }
    var notDrained = assertThrows(ConflictException.class, () -> plane.resumeHost("lxd1"));
    assertTrue(notDrained.getMessage().contains("is ready"), notDrained.getMessage());

    long started = System.nanoTime();
    ok(plane.drainHost("lxd1"), 10);
    System.out.printf("drain of %d busybox members: %d ms%n", ips.size(), (System.nanoTime() - started) / 1_000_000);

    assertEquals("drained", plane.host("lxd1").state());
    Map<String, Instance> onLxd3 = on("lxd3", HTTPS_3);
    for (MemberView m : members(app)) {
      assertEquals("lxd3", m.host(), m.name());
      assertEquals("running", m.state(), m.name());
      assertEquals(ips.get(m.name()), m.ip(), "a drained member keeps its address");
      Instance i = onLxd3.get(m.name());
      assertNotNull(i, m.name() + " runs on lxd3");
      assertTrue(i.running());
      assertEquals(m.ip(), i.ipv4(), "lxd3 shows the member's address on its NIC");
      answers(m);
    }
    assertTrue(on("lxd1", "unix://" + LxdControlPlaneIT.SOCKET).isEmpty(), "nothing of ours is left on lxd1");
    assertEquals(3, plane.store().allocatedAddresses("dc1").size(), "no address taken or lost by the drain");

    // a drained host takes no new members; probes leave it drained
    plane.probeHosts();
    assertEquals("drained", plane.host("lxd1").state());
    String more = "dm" + run;
    ok(plane.createApp(new AppRequest(more, "dc1", List.of(new ServiceRequest("web", "busybox", null, 2, null)), false)), 5);
    for (MemberView m : members(more)) {
      assertEquals("lxd3", m.host(), "nothing is placed on a drained host");
    }

    OperationView resumed = plane.resumeHost("lxd1");
    assertEquals("success", resumed.status());
    assertEquals("ready", plane.host("lxd1").state());
    String after = "da" + run;
    ok(plane.createApp(new AppRequest(after, "dc1", List.of(new ServiceRequest("web", "busybox", null, 2, null)), false)), 5);
    List<MemberView> placed = members(after);
    assertTrue(placed.stream().anyMatch(m -> m.host().equals("lxd1")), "a resumed host takes members again: " + placed);
    for (MemberView m : placed) {
      answers(m);
    }
  }

  /**
   * A redis single service drained while a client writes through its service address: the client sees the
   * short stop, every write it was told OK about is there afterwards, and the address reaches the member on lxd3.
   */
  @Test
  void aRedisServiceDrainedUnderWritesKeepsEveryAcknowledgedWrite() throws Exception {
    String app = "dq" + run;
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("cache", "redis", null, null, null)), false)),
        20);
    registerLxd3();
    ServiceView s = plane.app(app).services().get(0);
    String address = s.address();
    String password = s.secrets().get("password");
    assertNotNull(address, "a redis service has a service address");
    MemberView before = s.members().get(0);
    assertEquals("lxd1", before.host());
    assertEquals("master", Resp.role(address, password));

    RedisRolesIT.Writer writer = new RedisRolesIT.Writer(address, password, "d");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (writer.acked.get() < 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(writer.acked.get() >= 200, "the writer got going: " + writer.acked.get());
    ok(plane.drainHost("lxd1"), 10);
    long atEnd = writer.acked.get();
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (writer.acked.get() < atEnd + 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    writer.stop();
    System.out.printf("redis drain: %d writes acknowledged, longest gap %d ms%n", writer.acked.get(), writer.longestGapMs());
    assertTrue(writer.acked.get() >= atEnd + 200, "writes go on after the drain through the service address");

    assertEquals("drained", plane.host("lxd1").state());
    MemberView m = plane.app(app).services().get(0).members().get(0);
    assertEquals("lxd3", m.host());
    assertEquals(before.ip(), m.ip());
    assertEquals("master", Resp.role(address, password), "the service address reaches the member on lxd3");
    assertEquals(writer.acked.get(), Resp.existing(address, password, "d", writer.acked.get()),
        "every acknowledged write is there after the drain");
  }
}

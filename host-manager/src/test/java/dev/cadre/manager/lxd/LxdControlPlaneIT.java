package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.Agent;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane against real LXD host 1 ({@code scripts/lxd-hosts up}) with the real busybox
 * template, image builder and agent: what an operator gets.
 */
class LxdControlPlaneIT {
  static final String SOCKET = env("CADRE_LXD1_SOCKET", "/var/lib/lxd/unix.socket");
  static final String NETWORK = env("CADRE_LXD1_NETWORK", "cadrebr0");

  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String run = RunNames.suffix(5);

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  CadreControlPlane open(TemplateCatalog templates) {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, templates, null, null,
        null, null));
    OperationView reg = plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + SOCKET, "dc1", NETWORK, null));
    assertEquals("success", reg.status());
    return plane;
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (plane == null) {
      return;
    }
    try {
      for (AppView app : plane.apps()) {
        plane.await(plane.deleteApp(app.name()).id(), Duration.ofMinutes(2));
      }
    } finally {
      // whatever a failed assertion left: this store's containers go
      String storeId = plane.store().storeId();
      plane.close();
      try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + SOCKET, Map.of(), dir)) {
        for (Instance i : d.list()) {
          if (storeId.equals(i.metadata().get(Containers.STORE))) {
            d.delete(i.name());
          }
        }
      }
    }
  }

  List<Instance> ours() {
    try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + SOCKET, Map.of(), dir)) {
      return d.list().stream().filter(i -> plane.store().storeId().equals(i.metadata().get(Containers.STORE))).toList();
    }
  }

  @Test
  void twoBusyboxMembersRunServeTheirPageAndGoAwayCompletely() throws Exception {
    open(TemplateCatalog.builtIn());
    String app = "it" + run;
    OperationView op = plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 2, Map.of("greeting", "hi"))), false));
    OperationView end = plane.await(op.id(), Duration.ofMinutes(5));
    assertEquals("success", end.status(), end.error() + "\n" + end.steps());
    end.steps().forEach(st -> System.out.println("step " + st.at() + " " + st.name() + " " + st.detail()));

    List<MemberView> members = plane.app(app).services().get(0).members();
    assertEquals(2, members.size());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (MemberView m : members) {
      assertEquals("running", m.state());
      int ip = Subnet.toInt(m.ip());
      assertTrue(ip >= Subnet.toInt("10.77.0.128") && ip <= Subnet.toInt("10.77.0.254"), m.ip());
      Instance i = ours().stream().filter(x -> x.name().equals(m.name())).findFirst().orElseThrow();
      assertTrue(i.running());
      assertEquals(m.ip(), i.ipv4());
      // the member's own service answers on its own address, from outside the container
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + m.ip() + "/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("cadre busybox member " + m.name()), page.body());
    }
    assertEquals(2, plane.store().allocatedAddresses("dc1").size());

    OperationView del = plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(2));
    assertEquals("success", del.status(), del.error());
    assertTrue(ours().isEmpty(), "no container left");
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty(), "no address left");
  }

  @Test
  void anAddressAContainerOutsideCadreHoldsIsSteppedOver() throws Exception {
    open(TemplateCatalog.builtIn());
    String squatter = "hm-squat-" + run;
    try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + SOCKET, Map.of(), dir)) {
      java.util.Set<String> used = new java.util.HashSet<>();
      for (Instance i : d.list()) {
        used.add(i.configuredIpv4());
        used.add(i.ipv4());
      }
      String first = null;
      for (int a = Subnet.toInt("10.77.0.128"); a <= Subnet.toInt("10.77.0.254") && first == null; a++) {
        if (!used.contains(Subnet.toString(a))) {
          first = Subnet.toString(a);
        }
      }
      d.ensureImage(new dev.cadre.driver.ImageSource("busybox",
          Path.of(env("CADRE_BUSYBOX_IMAGE", "/var/lib/cadre-test/images/busybox.tar.gz"))));
      d.create(dev.cadre.driver.InstanceSpec.builder(squatter, "busybox").nic(NETWORK, first).build());
      try {
        String app = "it" + run;
        OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc1",
            List.of(new ServiceRequest("web", "busybox", null, 1, null)), false)).id(), Duration.ofMinutes(5));
        assertEquals("success", end.status(), end.error());
        MemberView m = plane.app(app).services().get(0).members().get(0);
        assertTrue(!first.equals(m.ip()), "the member got " + m.ip() + ", which " + squatter + " holds");
        assertEquals("running", m.state());
      } finally {
        d.delete(squatter);
      }
    }
  }

  @Test
  void redisAnswersPongOnItsOwnAddressWithTheGeneratedPassword() throws Exception {
    open(TemplateCatalog.builtIn());
    String app = "it" + run;
    OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("cache", "redis", null, 1, null)), false)).id(), Duration.ofMinutes(20));
    assertEquals("success", end.status(), end.error());
    var service = plane.app(app).services().get(0);
    String password = service.secrets().get("password");
    assertTrue(password != null && password.length() >= 16, String.valueOf(password));
    MemberView m = service.members().get(0);
    Process p = new ProcessBuilder("redis-cli", "-h", m.ip(), "-a", password, "--no-auth-warning", "ping")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals("PONG", out);
    Process noAuth = new ProcessBuilder("redis-cli", "-h", m.ip(), "ping").redirectErrorStream(true).start();
    String refused = new String(noAuth.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(refused.contains("NOAUTH"), refused);
  }

  @Test
  void fiftyMembersAtOnce() throws Exception {
    open(TemplateCatalog.builtIn());
    String app = "it" + run;
    long t0 = System.nanoTime();
    OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 50, null)), false)).id(), Duration.ofMinutes(10));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("success", end.status(), end.error());
    List<MemberView> members = plane.app(app).services().get(0).members();
    assertEquals(50, members.size());
    assertEquals(50, members.stream().map(MemberView::ip).distinct().count());
    assertEquals(50, ours().stream().filter(Instance::running).count());
    System.out.println("50 busybox members running and healthy in " + took + " ms");
    long t1 = System.nanoTime();
    assertEquals("success", plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(5)).status());
    System.out.println("50 busybox members deleted in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
    assertTrue(ours().isEmpty());
    assertEquals(Map.of("dc1", 0), plane.addressesInUse());
  }

  @Test
  void aFailingHookFailsTheOperationWithItsStderrAndLeaksNothing() throws Exception {
    Path catalog = dir.resolve("templates");
    copyBuiltInTemplates(catalog);
    Files.writeString(catalog.resolve("busybox/hooks/configure"),
        "#!/bin/sh\necho \"configure: broken on purpose for $CADRE_MEMBER\" >&2\nexit 1\n", StandardCharsets.UTF_8);
    open(TemplateCatalog.fromDirectory(catalog));
    String app = "it" + run;
    OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 1, null)), false)).id(), Duration.ofMinutes(5));
    assertEquals("failure", end.status());
    assertTrue(end.error().contains("configure: broken on purpose for " + app + "-web-1"), end.error());
    assertTrue(end.error().contains("hook 'configure' failed (exit 1)"), end.error());
    assertEquals("failed", plane.app(app).services().get(0).members().get(0).state());
    assertTrue(ours().isEmpty(), "the failed member's container is removed");
    assertTrue(plane.store().allocatedAddresses("dc1").isEmpty(), "its address is released");
  }

  /** The built-in catalog folder (from the templates jar or classes folder) copied to {@code target}. */
  static void copyBuiltInTemplates(Path target) throws Exception {
    URI uri = Agent.class.getClassLoader().getResource("cadre-templates/agent/cadre-agent").toURI();
    Path root;
    if ("jar".equals(uri.getScheme())) {
      FileSystem fs;
      try {
        fs = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        fs = FileSystems.getFileSystem(uri);
      }
      root = fs.getPath("/cadre-templates");
    } else {
      root = Path.of(uri).getParent().getParent();
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Path to = target.resolve(root.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          Files.copy(p, to);
          if (p.toString().contains("/hooks/") || p.toString().endsWith(".sh") || p.getFileName().toString().equals("recipe")) {
            to.toFile().setExecutable(true);
          }
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot copy the built-in templates", e);
    }
  }
}

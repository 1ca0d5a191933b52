package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.EventView;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceView;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the role tests share: a control plane on real LXD host 1 with the built-in templates, one app of one
 * service, and ways to wait for what the plane does on its own (a failover, a rejoin).
 */
abstract class RolesFixture {
  static final String SOCKET = LxdControlPlaneIT.SOCKET;
  static final String NETWORK = LxdControlPlaneIT.NETWORK;

  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String app = prefix() + RunNames.suffix(5);
  final List<EventView> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    if (plane == null) {
      return;
    }
    try {
      for (AppView a : plane.apps()) {
        plane.await(plane.deleteApp(a.name()).id(), Duration.ofMinutes(2));
      }
      assertEquals(0, plane.addressesInUse().getOrDefault("dc1", 0), "every address released");
    } finally {
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

  /** The app name's first letters. */
  abstract String prefix();

  void open() {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
    plane.subscribe(events::add);
    assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + SOCKET, "dc1", NETWORK, null))
        .status());
  }

  ServiceView service() {
    return plane.app(app).services().get(0);
  }

  static MemberView member(ServiceView s, String role) {
    return s.members().stream().filter(m -> role.equals(m.role())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + role + " in " + s.members()));
  }

  OperationView ok(OperationView started, int minutes) throws InterruptedException {
    OperationView end = plane.await(started.id(), Duration.ofMinutes(minutes));
    assertEquals("success", end.status(), end.kind() + ": " + end.error() + "\n" + end.steps());
    return end;
  }

  static void print(String what, OperationView op) {
    System.out.println("== " + what + " (" + Duration.between(op.created(), op.updated()).toMillis() + " ms)");
    op.steps().forEach(st -> System.out.println("  " + st.at() + " " + st.name() + " " + st.detail()));
  }

  OperationView awaitOperation(String kind, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      for (EventView e : events) {
        if (e.type().equals("operation") && kind.equals(e.data().get("kind"))) {
          String id = String.valueOf(e.data().get("id"));
          OperationView op = plane.await(id, limit);
          if (op.done()) {
            assertEquals("success", op.status(), op.error() + "\n" + op.steps());
            return op;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no " + kind + " operation within " + limit + "; events: " + events);
  }

  void awaitState(String member, String state, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = plane.app(app).services().get(0).members().stream().filter(m -> m.name().equals(member))
          .map(MemberView::state).findFirst().orElse(null);
      if (state.equals(seen)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(member + " is " + seen + ", not " + state);
  }

  static void lxc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("lxc"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }
}

package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.EventView;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.TemplateCatalog;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, part 4, on real LXD: members whose {@code health} hook sleeps for an hour (replaced inside the
 * container, as a hostile tenant would) and a registered host whose endpoint accepts connections and
 * never answers (LXD host 2 behind a proxy that stops answering) hold up neither provisioning nor each
 * other. Background rounds run every 300 ms, so they are busy throughout.
 */
class BackgroundIsolationIT {
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  static final Tuning TUNING = new Tuning(8, Duration.ofMinutes(2), Duration.ofSeconds(60), 30, Duration.ofSeconds(1),
      Duration.ofMillis(300), 32, 24, HEALTH_TIMEOUT, PROBE_TIMEOUT);
  static final byte[] SLEEPING_HOOK = "#!/bin/sh\nsleep 3600\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;
  CadreControlPlane plane;
  HangingProxy proxy;
  final String run = RunNames.suffix(5);

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (plane != null) {
        String storeId = plane.store().storeId();
        try {
          for (AppView app : plane.apps()) {
            plane.await(plane.deleteApp(app.name()).id(), Duration.ofMinutes(2));
          }
        } finally {
          plane.close();
          try (HostDriver d = lxd1()) {
            for (Instance i : d.list()) {
              if (storeId.equals(i.metadata().get(Containers.STORE))) {
                d.delete(i.name());
              }
            }
          }
        }
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  HostDriver lxd1() {
    return new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + LxdControlPlaneIT.SOCKET, Map.of(), dir);
  }

  static void within(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " did not happen within " + limit);
      }
      Thread.sleep(50);
    }
  }

  long create(String app, int count) throws InterruptedException {
    long t0 = System.nanoTime();
    OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, count, null)), false)).id(), Duration.ofMinutes(5));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("success", end.status(), end.error());
    return took;
  }

  /** The pids of {@code sleep 3600} in a container. */
  static Set<String> sleepers(HostDriver d, String member) {
    ExecResult ps = d.exec(member, ExecRequest.of("ps").withTimeout(Duration.ofSeconds(30)));
    return Arrays.stream(ps.stdoutText().split("\n")).filter(l -> l.contains("sleep 3600"))
        .map(l -> l.strip().split("\\s+")[0]).collect(Collectors.toSet());
  }

  @Test
  void aSleepingHealthHookAndAHungHostDoNotSlowDownCreatingAnApp() throws Exception {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories,
        TemplateCatalog.builtIn(), null, null, null, TUNING));
    List<EventView> events = new CopyOnWriteArrayList<>();
    plane.subscribe(events::add);
    assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET,
        "dc1", LxdControlPlaneIT.NETWORK, null)).status());
    URI lxd2 = URI.create(SecondDatacenterIT.HTTPS);
    proxy = new HangingProxy(lxd2.getHost(), lxd2.getPort());
    String trust = Files.readString(SecondDatacenterIT.TRUST).strip();
    assertEquals("success", plane.registerHost(new HostRequest("wedged", "lxd", proxy.endpoint(), "dc2",
        SecondDatacenterIT.NETWORK, trust)).status());

    // members that will turn hostile, made (and the image warmed) before anything is measured
    String sick = "sick" + run;
    create(sick, 2);
    List<String> sickMembers = plane.app(sick).services().get(0).members().stream().map(MemberView::name).toList();

    String quietApp = "quiet" + run;
    long quiet = create(quietApp, 3);
    assertEquals("success", plane.await(plane.deleteApp(quietApp).id(), Duration.ofMinutes(2)).status());
    assertEquals("ready", plane.host("wedged").state(), plane.host("wedged").lastError());

    // now both misbehave
    try (HostDriver d = lxd1()) {
      for (String m : sickMembers) {
        d.pushFile(m, FileSpec.of("/opt/cadre/hooks/health", SLEEPING_HOOK, 0755));
      }
    }
    long hungAt = System.nanoTime();
    proxy.hang();
    within(PROBE_TIMEOUT.plusSeconds(3), "the wedged host marked unreachable",
        () -> "unreachable".equals(plane.host("wedged").state()));
    long unreachableAfter = (System.nanoTime() - hungAt) / 1_000_000;
    within(PROBE_TIMEOUT.multipliedBy(2).plusSeconds(3), "the wedged host's probe timed out",
        () -> String.valueOf(plane.host("wedged").lastError()).contains("probe timed out after 3s"));
    long timedOutAfter = (System.nanoTime() - hungAt) / 1_000_000;
    // (a round that ran the hook while it was being replaced fails with "Text file busy": the next one times out)
    within(HEALTH_TIMEOUT.plusSeconds(30), "the sick members' health recorded as timed out",
        () -> plane.app(sick).services().get(0).members().stream().allMatch(m -> "unhealthy".equals(m.state())
            && m.error() != null && m.error().startsWith("health hook timed out")));
    for (MemberView m : plane.app(sick).services().get(0).members()) {
      assertTrue(m.error().startsWith("health hook timed out after 3s"), m.error());
    }
    assertTrue(events.stream().anyMatch(e -> e.type().equals("health")
        && String.valueOf(e.data().get("detail")).contains("health hook timed out after 3s")), "a health event says so");

    String badApp = "bad" + run;
    long bad = create(badApp, 3);
    System.out.printf("create 3 busybox members: quiet %d ms, with 2 sleeping health hooks and a wedged host %d ms"
        + " (%.2fx); wedged host unreachable after %d ms, 'probe timed out' after %d ms%n",
        quiet, bad, bad / (double) quiet, unreachableAfter, timedOutAfter);
    assertTrue(bad < 1.5 * quiet + 5_000, "quiet " + quiet + " ms, while misbehaving " + bad + " ms");
    assertEquals("ready", plane.host("lxd1").state());
    assertTrue(plane.app(badApp).services().get(0).members().stream().allMatch(m -> "running".equals(m.state())));

    // the agent kills each sleeping hook at the health timeout: no sleep lives through two of them
    try (HostDriver d = lxd1()) {
      String m = sickMembers.get(0);
      Set<String> before = Set.of();
      for (int i = 0; i < 100 && before.isEmpty(); i++) {
        before = sleepers(d, m);
        Thread.sleep(100);
      }
      assertTrue(!before.isEmpty(), "the health round runs the sleeping hook again and again");
      Thread.sleep(HEALTH_TIMEOUT.multipliedBy(2).plusSeconds(3).toMillis());
      Set<String> after = sleepers(d, m);
      assertTrue(after.stream().noneMatch(before::contains), "still sleeping: " + before + " then " + after);
    }
  }
}

package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HeapWatch;
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
import dev.cadre.manager.Tuning;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.TemplateCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile tenant against a real control plane on real LXD host 1: hooks that print without end, one
 * line of 500 MiB, and 10 MiB of random bytes. The plane's own heap (this JVM's) must stay within
 * 256 MiB of its quiet baseline, and what it records must say that the output was too large.
 */
class HostileHooksIT {
  private static final long BUDGET = 256L * 1024 * 1024;
  private static final String SOCKET = LxdControlPlaneIT.SOCKET;
  private static final String HEALTH = "/opt/cadre/hooks/health";

  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String run = RunNames.suffix(5);

  @AfterEach
  void cleanUp() {
    if (plane == null) {
      return;
    }
    try {
      for (AppView app : plane.apps()) {
        plane.await(plane.deleteApp(app.name()).id(), Duration.ofMinutes(2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      String storeId = plane.store().storeId();
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

  private HostDriver lxd1() {
    return new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + SOCKET, Map.of(), dir);
  }

  /**
   * Hooks (health too) get 10 s: time for the 500 MiB line to be written to the agent's journal, and the
   * time an endless printer runs before the agent kills it (the plane stops reading at 1 MiB either
   * way). Background rounds wait an hour: the test asks for health itself.
   */
  private CadreControlPlane open(TemplateCatalog templates) {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    Tuning tuning = new Tuning(8, Duration.ofSeconds(10), Duration.ofSeconds(60), 30, Duration.ofSeconds(1),
        Duration.ofHours(1), 32, 24, Duration.ofSeconds(10), Duration.ofSeconds(10));
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, templates, null, null,
        null, tuning));
    OperationView reg = plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + SOCKET, "dc1",
        LxdControlPlaneIT.NETWORK, null));
    assertEquals("success", reg.status());
    return plane;
  }

  private MemberView member(String app) {
    return plane.app(app).services().get(0).members().get(0);
  }

  /** As the tenant (root in the container) would: replaces the member's health hook. */
  private static void replaceHealthHook(HostDriver d, String member, String script) {
    d.pushFile(member, FileSpec.of(HEALTH, script.getBytes(StandardCharsets.UTF_8), 0755));
  }

  /** Runs the plane's health round and answers the member as the plane then records it. */
  private MemberView checkHealth(String app) {
    long t0 = System.nanoTime();
    plane.checkHealth();
    MemberView m = member(app);
    System.out.println("health round: " + (System.nanoTime() - t0) / 1_000_000 + " ms -> " + m.state() + ": "
        + m.error());
    return m;
  }

  /**
   * The agent kills a hook once it has written 512 KiB and says so; were the agent itself replaced, cadre's
   * own limit on what it reads (1 MiB) would say it instead.
   */
  private static boolean saysCut(String error) {
    return error != null && (error.contains("the hook wrote more than 524288 bytes; it was killed")
        || error.contains("hook output too large (kept 1 MiB of at least "));
  }

  private static void assertTooLarge(MemberView m) {
    assertEquals("unhealthy", m.state(), String.valueOf(m.error()));
    assertTrue(m.error().contains("health: output too large") && saysCut(m.error()), String.valueOf(m.error()));
  }

  @Test
  void hooksThatFloodTheirOutputFailClearlyAndTheHeapStaysWithinBudget() throws Exception {
    Path catalog = dir.resolve("templates");
    LxdControlPlaneIT.copyBuiltInTemplates(catalog);
    String honestHealth = Files.readString(catalog.resolve("busybox/hooks/health"));
    // a configure hook that floods when the service's config asks it to: the operation path
    Path configure = catalog.resolve("busybox/hooks/configure");
    String original = Files.readString(configure);
    int shebang = original.indexOf('\n') + 1;
    Files.writeString(configure, original.substring(0, shebang)
        + "[ \"${CADRE_CONFIG_FLOOD:-}\" != yes ] || head -c 524288000 /dev/zero\n" + original.substring(shebang));
    open(TemplateCatalog.fromDirectory(catalog));

    String quiet = "hq" + run;
    OperationView made = plane.await(plane.createApp(new AppRequest(quiet, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 1, null)), false)).id(), Duration.ofMinutes(5));
    assertEquals("success", made.status(), made.error());
    String member = member(quiet).name();

    HeapWatch heap = HeapWatch.start(100);
    try (HostDriver d = lxd1()) {
      // an operation whose hook prints one line of 500 MiB fails, saying so, and records it on its step
      String flooding = "hf" + run;
      OperationView failed = plane.await(plane.createApp(new AppRequest(flooding, "dc1",
          List.of(new ServiceRequest("web", "busybox", null, 1, Map.of("flood", "yes"))), false)).id(),
          Duration.ofMinutes(5));
      System.out.println("flooding configure: " + failed.status() + ": " + failed.error());
      assertEquals("failure", failed.status());
      assertTrue(failed.error().contains("hook 'configure' output too large") && saysCut(failed.error()),
          failed.error());
      assertTrue(failed.steps().stream().anyMatch(s -> "failed".equals(s.status()) && s.detail() != null
          && s.detail().contains("output too large")), failed.steps().toString());

      // the tenant's health hook prints without end
      replaceHealthHook(d, member, "#!/bin/sh\nyes\n");
      assertTooLarge(checkHealth(quiet));

      replaceHealthHook(d, member, honestHealth);
      assertEquals("running", checkHealth(quiet).state(), "the honest hook makes it healthy again");

      // one line of 500 MiB without a newline
      replaceHealthHook(d, member, "#!/bin/sh\nhead -c 524288000 /dev/zero\n");
      assertTooLarge(checkHealth(quiet));

      replaceHealthHook(d, member, honestHealth);
      assertEquals("running", checkHealth(quiet).state());

      // binary garbage, on stderr this time
      replaceHealthHook(d, member, "#!/bin/sh\nhead -c 10485760 /dev/urandom >&2\nexit 1\n");
      MemberView garbage = checkHealth(quiet);
      assertEquals("unhealthy", garbage.state());
      assertTrue(saysCut(garbage.error()), garbage.error());
    } finally {
      heap.close();
      System.out.println("hostile hooks: " + heap.report());
    }
    assertTrue(heap.peakGrowth() < BUDGET, heap.report());
    assertTrue(heap.afterGrowth() < BUDGET, heap.report());
  }
}

package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background work on fakes: health hooks that never end and a host that never answers hold neither
 * provisioning nor each other. Two provisioning threads only, and as many hung health hooks: with
 * health checks on the provisioning threads (as before), the create would never end.
 */
class BackgroundIsolationTest {
  static final Tuning TUNING = new Tuning(2, Duration.ofSeconds(10), Duration.ofSeconds(5), 3, Duration.ofMillis(10),
      Duration.ofMillis(50), 16, 8, Duration.ofSeconds(1), Duration.ofMillis(300));

  @TempDir
  Path dir;
  Fixture f;
  CadreControlPlane plane;

  @BeforeEach
  void open() {
    f = new Fixture(dir, false);
    f.tuning = TUNING;
    f.host("h1", "10.77.0.1/24");
    f.host("far", "10.78.0.1/24");
    plane = f.open();
    assertEquals("success", f.register("h1", "dc1").status());
    assertEquals("success", f.register("far", "dc2").status());
  }

  @AfterEach
  void close() {
    f.close();
  }

  static void within(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " did not happen within " + limit);
      }
      Thread.sleep(10);
    }
  }

  long create(String app) throws InterruptedException {
    long t0 = System.nanoTime();
    OperationView end = f.done(plane.createApp(Fixture.app(app, "dc1", Fixture.busybox("web", 3))));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("success", end.status(), end.error());
    return took;
  }

  /** The health monitor's checks of the sick members (provisioning asks health too, with the hook timeout). */
  List<ScriptedHooks.Call> sickChecks(int from) {
    List<ScriptedHooks.Call> calls = f.hooks.calls;
    return calls.subList(from, calls.size()).stream().filter(c -> c.hook().equals("health") && c.instance().startsWith("sick-")
        && c.timeout().equals(TUNING.healthTimeout())).toList();
  }

  @Test
  void hungHealthHooksAndAHungHostHoldNeitherProvisioningNorProbes() throws Exception {
    long quiet = create("quiet");
    assertEquals("success", f.done(plane.deleteApp("quiet")).status());
    assertEquals("success", f.done(plane.createApp(Fixture.app("sick", "dc1", Fixture.busybox("web", 2)))).status());

    // the sick members' health hooks never end, not even when interrupted; the far host stops answering
    f.hooks.blockPrefix = "sick-";
    f.hooks.stubborn = true;
    f.hooks.blockHook = "health";
    int blockedFrom = f.hooks.calls.size(); // calls recorded from here on block
    long hungAt = System.nanoTime();
    f.factory.hung.add("far");
    within(Duration.ofSeconds(3), "the hung host marked unreachable",
        () -> "unreachable".equals(plane.host("far").state()));
    long marked = (System.nanoTime() - hungAt) / 1_000_000;
    assertTrue(plane.host("far").lastError().contains("probe timed out after 300ms"), plane.host("far").lastError());
    // (a round under way when the hooks began to hang may have asked one member before: the other one is
    // then asked in the next round, once this one's hung check was given up)
    within(Duration.ofSeconds(15), "both sick members' health hooks started",
        () -> sickChecks(blockedFrom).stream().map(ScriptedHooks.Call::instance).distinct().count() == 2);

    long bad = create("shop");
    System.out.println("create 3 members: quiet " + quiet + " ms, while hooks and a host hang " + bad + " ms;"
        + " hung host unreachable after " + marked + " ms");
    assertTrue(bad < 1.5 * quiet + 2_000, "quiet " + quiet + " ms, bad " + bad + " ms");

    // the hung host holds one probe thread: the ready host is still probed every round
    long before = plane.host("h1").updated().toEpochMilli();
    within(Duration.ofSeconds(3), "h1 probed again", () -> plane.host("h1").updated().toEpochMilli() > before);

    // a health check that never comes back is abandoned at the health timeout plus its grace, and recorded;
    // meanwhile no second check is queued for the same member
    within(Duration.ofSeconds(15), "the sick members recorded as timed out",
        () -> plane.app("sick").services().get(0).members().stream().allMatch(m -> "unhealthy".equals(m.state())));
    for (MemberView m : plane.app("sick").services().get(0).members()) {
      assertTrue(m.error().startsWith("health hook timed out after 1s"), m.error());
    }
    assertEquals(2, sickChecks(blockedFrom).size(), "one check per member while it hangs: " + sickChecks(blockedFrom));
    assertTrue(plane.app("shop").services().get(0).members().stream().allMatch(m -> "running".equals(m.state())));
  }

  @Test
  void aHealthHookKilledAtItsTimeoutIsRecordedAsTimedOut() throws Exception {
    assertEquals("success", f.done(plane.createApp(Fixture.app("sick", "dc1", Fixture.busybox("web", 1)))).status());
    f.hooks.killAtTimeout = true; // the agent's answer: exit 124 at the timeout
    f.hooks.blockHook = "health";
    within(Duration.ofSeconds(5), "the member recorded as timed out",
        () -> "unhealthy".equals(plane.app("sick").services().get(0).members().get(0).state()));
    String error = plane.app("sick").services().get(0).members().get(0).error();
    assertTrue(error.startsWith("health hook timed out after 1s and was killed"), error);
  }
}

package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an app of 1,000 members from the embedded database file stays well inside the API's 20 ms p99. */
class AppViewPerfIT {
  @TempDir
  Path dir;

  @Test
  void anAppOfAThousandMembersReadsFast() throws Exception {
    try (Fixture f = new Fixture(dir, true)) {
      for (int i = 1; i <= 16; i++) {
        f.host("h" + i, "10.0.0.1/16");
      }
      CadreControlPlane plane = f.open();
      for (int i = 1; i <= 16; i++) {
        f.register("h" + i, "dc1");
      }
      OperationView op = f.done(plane.createApp(Fixture.app("big", "dc1", Fixture.busybox("a", 100),
          Fixture.busybox("b", 100), Fixture.busybox("c", 100), Fixture.busybox("d", 100), Fixture.busybox("e", 100),
          Fixture.busybox("f", 100), Fixture.busybox("g", 100), Fixture.busybox("h", 100), Fixture.busybox("i", 100),
          Fixture.busybox("j", 100))));
      assertEquals("success", op.status(), op.error());
      for (int i = 0; i < 200; i++) {
        plane.app("big");
      }
      long[] ns = new long[1000];
      for (int i = 0; i < ns.length; i++) {
        long t0 = System.nanoTime();
        AppView app = plane.app("big");
        ns[i] = System.nanoTime() - t0;
        assertEquals(10, app.services().size());
      }
      Arrays.sort(ns);
      double p50 = ns[500] / 1e6;
      double p99 = ns[990] / 1e6;
      System.out.printf("app view of 1000 members: p50 %.2f ms, p99 %.2f ms%n", p50, p99);
      assertTrue(p99 < 20, "p99 " + p99 + " ms");
    }
  }
}

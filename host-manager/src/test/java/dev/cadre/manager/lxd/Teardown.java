package dev.cadre.manager.lxd;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.provisioning.Containers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The end of a test with a plane of its own: its apps deleted through it, then whatever its store made swept from the hosts. */
final class Teardown {
  private Teardown() {}

  /**
   * Deletes every app (waiting for each), runs {@code check} (what the test asserts once all is deleted),
   * closes the plane, then deletes every container the plane's store made on {@code hosts} (name to endpoint),
   * whatever the check said.
   */
  static void all(CadreControlPlane plane, Path driverState, Runnable check, Map<String, String> hosts) throws Exception {
    if (plane == null) {
      return;
    }
    try {
      for (AppView a : plane.apps()) {
        plane.await(plane.deleteApp(a.name()).id(), Duration.ofMinutes(2));
      }
      check.run();
    } finally {
      String storeId = plane.store().storeId();
      plane.close();
      for (Map.Entry<String, String> h : hosts.entrySet()) {
        try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open(h.getKey(), h.getValue(), Map.of(), driverState)) {
          for (Instance i : d.list()) {
            if (storeId.equals(i.metadata().get(Containers.STORE))) {
              d.delete(i.name());
            }
          }
        }
      }
    }
  }
}

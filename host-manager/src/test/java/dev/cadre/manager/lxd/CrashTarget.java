package dev.cadre.manager.lxd;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link KillRecoveryIT} kills: opens a control plane on real LXD, starts creating an app
 * whose members hang in their configure hook, says READY with the operation id, and waits to be killed.
 */
public final class CrashTarget {
  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    String socket = args[1];
    String network = args[2];
    String app = args[3];
    int members = Integer.parseInt(args[4]);
    HangingHooks hanging = new HangingHooks(hook -> hook.equals("configure"));
    AtomicInteger hung = hanging.hung;
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    CadreControlPlane plane = CadreControlPlane.open(new ControlPlaneConfig(dataDir, null, factories, null, null,
        hanging, null, null));
    plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + socket, "dc1", network, null));
    OperationView op = plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, members, null)), false));
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (hung.get() < members && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.println((hung.get() == members ? "READY " : "NOT-READY ") + op.id() + " " + plane.store().storeId());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

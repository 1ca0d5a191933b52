package dev.cadre.manager.lxd;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.templates.TemplateCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link MoveIT} kills: a control plane on real LXD hosts 1 (dc1) and 2 (dc2) makes an app of
 * busybox members, starts moving it to dc2 with a hook that hangs ({@code args[3]}: {@code stop}, in the
 * pause before the switch, or {@code configure}, at the target after it), says READY with the move's
 * operation id and its store's id, and waits to be killed.
 */
public final class MoveCrashTarget {
  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    String app = args[1];
    int members = Integer.parseInt(args[2]);
    String hangIn = args[3];
    AtomicInteger moving = new AtomicInteger(); // hooks hang only once the move runs
    HangingHooks hanging = new HangingHooks(hook -> moving.get() > 0 && hook.equals(hangIn));
    AtomicInteger hung = hanging.hung;
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    CadreControlPlane plane = CadreControlPlane.open(new ControlPlaneConfig(dataDir, null, factories,
        TemplateCatalog.builtIn(), null, hanging, null, null));
    plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET, "dc1",
        LxdControlPlaneIT.NETWORK, null));
    plane.registerHost(new HostRequest("lxd2", "lxd", SecondDatacenterIT.HTTPS, "dc2", SecondDatacenterIT.NETWORK,
        Files.readString(SecondDatacenterIT.TRUST).strip()));
    OperationView created = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, members, null)), false)).id(), Duration.ofMinutes(5));
    if (!created.status().equals("success")) {
      System.out.println("NOT-READY create " + created.error());
      System.exit(1);
    }
    moving.set(1);
    OperationView op = plane.moveApp(app, "dc2");
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (hung.get() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(500); // every member in the hook, not only the first
    System.out.println((hung.get() >= 1 ? "READY " : "NOT-READY ") + op.id() + " " + plane.store().storeId());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

package dev.cadre.bench;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A redis app with some data moved from LXD host 1 (dc1) to LXD host 2 (dc2, its own network namespace) while a
 * client writes through the address it is told: cadre's move, by copy and by replication (the client follows
 * the service address the plane shows), against the naive way, {@code lxc stop} + {@code lxc move} + {@code lxc start} of a redis member of the
 * same template with the same data between the same two hosts (the client is pointed at the new address when
 * the script ends, as its operator would). Downtime is what the client sees: the longest stretch without an
 * acknowledged SET. Bytes are what crossed the link between the datacenters (the veth's counters; the client's
 * own writes cross it too once the app is in dc2).
 *
 * <p>Usage: {@code MoveBench SIZE_MB} (the LXD hosts of scripts/lxd-hosts must be up; lxd2 is reached as the
 * lxc remote {@code cadre-bench-lxd2}).
 */
public final class MoveBench {
  private static final String VETH = "/sys/class/net/cadre-veth0/statistics/";
  private static final String REMOTE = "cadre-bench-lxd2";

  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    String socket = env("CADRE_LXD1_SOCKET", "/var/lib/lxd/unix.socket");
    String https = env("CADRE_LXD2_HTTPS", "https://10.90.0.2:8443");
    String trust = Files.readString(Path.of(env("CADRE_LXD_TRUST_PASSWORD_FILE", "/var/lib/cadre-test/trust-password")))
        .strip();
    Path data = Files.createTempDirectory("cadre-move-bench");
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    List<String[]> rows = new ArrayList<>();
    String suffix = Long.toString(System.nanoTime() % 100000, 36);
    String cadreApp = "mc" + mb + "m" + suffix;
    String replicaApp = "mr" + mb + "m" + suffix;
    String hooksApp = "mh" + mb + "m" + suffix;
    String naiveApp = "mn" + mb + "m" + suffix;
    String naiveMember = null;
    String naivePassword = null;
    try {
      try (CadreControlPlane plane = CadreControlPlane.open(new ControlPlaneConfig(data, null, factories,
          TemplateCatalog.builtIn(), null, null, null, null))) {
        RolesBench.ok(plane, plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + socket, "dc1", "cadrebr0", null)));
        RolesBench.ok(plane, plane.registerHost(new HostRequest("lxd2", "lxd", https, "dc2", "cadrebr1", trust)));
        RolesBench.RedisData redis = new RolesBench.RedisData();
        for (String app : List.of(cadreApp, replicaApp, hooksApp, naiveApp)) {
          RolesBench.ok(plane, plane.createApp(new AppRequest(app, "dc1",
              List.of(new ServiceRequest("db", "redis", null, null, null)), false)));
          ServiceView s = plane.app(app).services().get(0);
          redis.fill(s.address(), s.secrets().get("password"), mb);
        }

        // cadre: the client asks the plane for the service address each time it connects
        for (String[] way : List.of(new String[] {cadreApp, "copy"}, new String[] {replicaApp, "replicate"},
            new String[] {hooksApp, "hooks"})) {
          String app = way[0];
          ServiceView s = plane.app(app).services().get(0);
          String password = s.secrets().get("password");
          long[] before = veth();
          RolesBench.Writer w = new RolesBench.Writer(
              () -> redis.session(plane.app(app).services().get(0).address(), password).call());
          Thread.sleep(1000);
          OperationView moved = RolesBench.ok(plane, plane.moveApp(app, "dc2", way[1]));
          Thread.sleep(1000);
          long gap = w.stop();
          long[] after = veth();
          rows.add(new String[] {"cadre move (" + way[1] + ")", mb + " MB", Long.toString(ms(moved)), Long.toString(gap),
              mib(after[0] - before[0] + after[1] - before[1])});
          System.out.println("cadre's steps (" + way[1] + "):");
          moved.steps().forEach(st -> System.out.println("  " + st.name() + ": " + st.detail()));
        }

        ServiceView n = plane.app(naiveApp).services().get(0);
        naiveMember = n.members().get(0).name();
        naivePassword = n.secrets().get("password");
        // the naive member leaves cadre's hands: its service address goes, and the plane closes (its sweep
        // would remove a container of its own found on another host than its row says)
        RolesBench.lxc("config", "device", "unset", naiveMember, "eth0", "ipv4.routes");
      }

      // naive: stop, move, give it an address of dc2's network, start; the client is pointed there after
      String oldIp = ip(naiveMember);
      String newIp = "10.78.0.99"; // outside dc2's pool (.128-.254) and its DHCP range (.2-.99 ends here)
      AtomicReference<String> target = new AtomicReference<>(oldIp);
      RolesBench.RedisData redis = new RolesBench.RedisData();
      String pw = naivePassword;
      long[] before = veth();
      RolesBench.Writer w = new RolesBench.Writer(() -> redis.session(target.get(), pw).call());
      Thread.sleep(1000);
      long start = System.nanoTime();
      remote(https, trust);
      RolesBench.lxc("stop", naiveMember);
      // lxd1 does not listen on the network (push); the NIC joins dc2's network with an address of it there
      RolesBench.lxc("move", naiveMember, REMOTE + ":" + naiveMember, "--mode", "push", "-d", "eth0,network=cadrebr1",
          "-d", "eth0,ipv4.address=" + newIp);
      RolesBench.lxc("start", REMOTE + ":" + naiveMember);
      target.set(newIp);
      long total = (System.nanoTime() - start) / 1_000_000;
      w.firstAckAfter(start, Duration.ofMinutes(5));
      Thread.sleep(1000);
      long gap = w.stop();
      long[] after = veth();
      rows.add(new String[] {"lxc stop + move + start", mb + " MB", Long.toString(total), Long.toString(gap),
          mib(after[0] - before[0] + after[1] - before[1])});
    } finally {
      System.out.printf("%nA redis app with a client writing the whole time, moved dc1 (lxd1) -> dc2 (lxd2)%n");
      System.out.printf("%-26s %8s %10s %14s %12s%n", "way", "data", "total ms", "downtime ms", "link MiB");
      for (String[] r : rows) {
        System.out.printf("%-26s %8s %10s %14s %12s%n", (Object[]) r);
      }
      if (rows.size() == 4) {
        for (int i = 0; i < 3; i++) {
          System.out.printf("%s: downtime %.1f%% of the naive one's%n", rows.get(i)[0],
              100.0 * Long.parseLong(rows.get(i)[3]) / Long.parseLong(rows.get(3)[3]));
        }
      }
      try (CadreControlPlane plane = CadreControlPlane.open(new ControlPlaneConfig(data, null, factories,
          TemplateCatalog.builtIn(), null, null, null, null))) {
        for (String app : List.of(cadreApp, replicaApp, hooksApp, naiveApp)) {
          if (plane.apps().stream().anyMatch(a -> a.name().equals(app))) {
            plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(5));
          }
        }
      }
      if (naiveMember != null) {
        try {
          RolesBench.lxc("delete", "--force", REMOTE + ":" + naiveMember);
        } catch (IllegalStateException gone) {
          // it did not get there
        }
      }
    }
  }

  private static void remote(String https, String trust) throws Exception {
    Process list = new ProcessBuilder("lxc", "remote", "list", "--format", "csv").redirectErrorStream(true).start();
    String remotes = new String(list.getInputStream().readAllBytes());
    list.waitFor();
    if (!remotes.contains(REMOTE + ",")) {
      RolesBench.lxc("remote", "add", REMOTE, https, "--accept-certificate", "--password", trust);
    }
  }

  private static String ip(String name) throws Exception {
    Process p = new ProcessBuilder("lxc", "list", name, "-c", "4", "--format", "csv").start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor();
    return out.split(" ")[0];
  }

  /** Bytes sent and received on this machine's end of the link to dc2. */
  private static long[] veth() throws IOException {
    return new long[] {Long.parseLong(Files.readString(Path.of(VETH + "tx_bytes")).strip()),
        Long.parseLong(Files.readString(Path.of(VETH + "rx_bytes")).strip())};
  }

  private static String mib(long bytes) {
    return String.format("%.1f", bytes / 1048576.0);
  }

  private static long ms(OperationView op) {
    return Duration.between(op.created(), op.updated()).toMillis();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}

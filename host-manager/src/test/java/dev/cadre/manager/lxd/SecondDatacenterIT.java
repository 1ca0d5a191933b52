package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.provisioning.Containers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LXD host 2 (its own network namespace, HTTPS, trust password) as a second datacenter: registered once
 * with the password, opened after a restart with the client certificate cadre kept, and a member on it
 * gets an address of that datacenter's network.
 */
class SecondDatacenterIT {
  static final String HTTPS = LxdControlPlaneIT.env("CADRE_LXD2_HTTPS", "https://10.90.0.2:8443");
  static final String NETWORK = LxdControlPlaneIT.env("CADRE_LXD2_NETWORK", "cadrebr1");
  static final Path TRUST = Path.of(LxdControlPlaneIT.env("CADRE_LXD_TRUST_PASSWORD_FILE",
      "/var/lib/cadre-test/trust-password"));

  @TempDir
  Path dir;

  @Test
  void aMemberInTheSecondDatacenterOverHttps() throws Exception {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    Path data = dir.resolve("data");
    String trust = Files.readString(TRUST).strip();
    String app = "dc" + RunNames.suffix(5);
    String storeId;
    try (CadreControlPlane plane = CadreControlPlane.open(ControlPlaneConfig.defaults(data, factories))) {
      storeId = plane.store().storeId();
      assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET,
          "dc1", LxdControlPlaneIT.NETWORK, null)).status());
      var mismatch = assertThrows(ConflictException.class,
          () -> plane.registerHost(new HostRequest("lxd2", "lxd", HTTPS, "dc1", NETWORK, trust)));
      assertTrue(mismatch.getMessage().contains("10.78.0.0/24"), mismatch.getMessage());
      assertEquals("success", plane.registerHost(new HostRequest("lxd2", "lxd", HTTPS, "dc2", NETWORK, trust)).status());
      assertEquals("10.78.0.0/24", plane.store().datacenter("dc2").orElseThrow().subnet());
    }
    try (CadreControlPlane plane = CadreControlPlane.open(ControlPlaneConfig.defaults(data, factories))) {
      try {
        // a restart: the host opens without the password, with the client certificate kept in the data dir
        plane.probeHosts();
        assertEquals("ready", plane.host("lxd2").state(), plane.host("lxd2").lastError());
        OperationView end = plane.await(plane.createApp(new AppRequest(app, "dc2",
            List.of(new ServiceRequest("web", "busybox", null, 1, null)), false)).id(), Duration.ofMinutes(5));
        assertEquals("success", end.status(), end.error());
        MemberView m = plane.app(app).services().get(0).members().get(0);
        assertEquals("lxd2", m.host());
        int ip = Subnet.toInt(m.ip());
        assertTrue(ip >= Subnet.toInt("10.78.0.128") && ip <= Subnet.toInt("10.78.0.254"), m.ip());
        assertEquals("success", plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(2)).status());
        assertEquals(Map.of("dc1", 0, "dc2", 0), plane.addressesInUse());
      } finally {
        HostDriver lxd2 = new dev.cadre.lxd.LxdDriverFactory().open("lxd2", HTTPS, Map.of(), data.resolve("drivers"));
        try (lxd2) {
          for (Instance i : lxd2.list()) {
            if (storeId.equals(i.metadata().get(Containers.STORE))) {
              lxd2.delete(i.name());
            }
          }
          assertTrue(lxd2.list().stream().noneMatch(i -> storeId.equals(i.metadata().get(Containers.STORE))));
        }
      }
    }
  }
}

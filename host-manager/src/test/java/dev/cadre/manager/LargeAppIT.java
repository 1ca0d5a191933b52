package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceState;
import dev.cadre.manager.provisioning.Containers;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app of 1,000 members (ten services of 100, the most a request may ask for) on the embedded
 * database file reads back complete, and what it says agrees with the hosts. How fast it reads is
 * bench/run-app-view's business, not a test's.
 */
class LargeAppIT {
  private static final int SERVICES = 10;
  private static final int PER_SERVICE = Names.MAX_COUNT;
  private static final int HOSTS = 16;

  @TempDir
  Path dir;

  @Test
  void anAppOfAThousandMembersReadsBackCompleteAndAgreesWithItsHosts() throws Exception {
    try (Fixture f = new Fixture(dir, true)) {
      Map<String, FakeHostDriver> hosts = new HashMap<>();
      for (int i = 1; i <= HOSTS; i++) {
        hosts.put("h" + i, f.host("h" + i, "10.0.0.1/16"));
      }
      CadreControlPlane plane = f.open();
      for (String h : hosts.keySet()) {
        f.register(h, "dc1");
      }
      ServiceRequest[] services = new ServiceRequest[SERVICES];
      for (int s = 0; s < SERVICES; s++) {
        services[s] = Fixture.busybox("s" + s, PER_SERVICE);
      }
      OperationView op = f.done(plane.createApp(Fixture.app("big", "dc1", services)));
      assertEquals("success", op.status(), op.error());

      AppView app = plane.app("big");
      assertEquals("running", app.state());
      assertEquals("dc1", app.datacenter());
      assertEquals(SERVICES, app.services().size());
      Set<String> names = new HashSet<>();
      Set<String> ips = new HashSet<>();
      Set<String> usedHosts = new HashSet<>();
      for (int s = 0; s < SERVICES; s++) {
        ServiceView service = app.services().get(s);
        assertEquals("s" + s, service.name(), "services in the order asked for");
        assertEquals(PER_SERVICE, service.members().size(), service.name());
        assertEquals(Map.of("greeting", "hello"), service.config());
        for (MemberView m : service.members()) {
          assertTrue(names.add(m.name()), "member " + m.name() + " listed twice");
          assertTrue(ips.add(m.ip()), "address " + m.ip() + " given twice");
          assertTrue(m.ip().startsWith("10.0."), m.ip());
          assertEquals("running", m.state(), m.name());
          usedHosts.add(m.host());
          // the view agrees with the host it names: the container is there, running, on that address
          FakeHostDriver host = hosts.get(m.host());
          assertNotNull(host, m.name() + " on unknown host " + m.host());
          Instance c = host.find(m.name()).orElseThrow(() -> new AssertionError(m.name() + " missing on " + m.host()));
          assertEquals(InstanceState.RUNNING, c.state(), m.name());
          assertEquals(m.ip(), c.configuredIpv4(), m.name());
          assertEquals(service.name(), c.metadata().get(Containers.SERVICE), m.name());
        }
      }
      assertEquals(SERVICES * PER_SERVICE, names.size());
      assertEquals(hosts.keySet(), usedHosts, "members spread over every host");
      int containers = hosts.values().stream().mapToInt(h -> h.list().size()).sum();
      assertEquals(SERVICES * PER_SERVICE, containers, "no container beyond the members");
      assertEquals(Map.of("dc1", SERVICES * PER_SERVICE), plane.addressesInUse());

      // the list answers the same app as the single read
      Map<String, AppView> listed = plane.apps().stream().collect(Collectors.toMap(AppView::name, Function.identity()));
      assertEquals(List.of("big"), List.copyOf(listed.keySet()));
      assertEquals(app, listed.get("big"));
    }
  }
}

package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Static addresses on LXD host 1's managed bridge, as the control plane relies on them: an address
 * another NIC has is refused as {@link AddressInUseException}, and an address given again right after
 * its container was deleted is held by the new container at once, even when the old container's DHCP
 * lease survived the delete.
 */
class LxdAddressIT {
  private final LxdHostDriver one = LxdTestHosts.one();
  private final List<String> created = new CopyOnWriteArrayList<>();

  private String newName() {
    String name = "addr-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  @AfterEach
  void cleanUp() {
    for (String name : created) {
      try {
        if (one.find(name).isPresent()) {
          one.delete(name);
        }
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  private InstanceSpec spec(String name, String address) {
    return InstanceSpec.builder(name, "busybox").nic(LxdTestHosts.NETWORK_1, address).build();
  }

  /**
   * A random address of 10.77.0.112-119 that no instance and no lease has: outside the shared suite's
   * .100-.111, the template tests' .120-.127 and the control plane's pool from .128, so no other test meets what it leaves.
   */
  private String freeAddress(String... taken) throws IOException {
    Set<String> used = new HashSet<>(List.of(taken));
    for (Instance i : one.list()) {
      used.add(i.configuredIpv4());
      used.add(i.ipv4());
    }
    List<String> free = new ArrayList<>();
    for (int a = 112; a <= 119; a++) {
      String address = "10.77.0." + a;
      if (!used.contains(address) && leaseOf(address).isEmpty()) {
        free.add(address);
      }
    }
    assertTrue(!free.isEmpty(), "no free address in 10.77.0.112-119");
    return free.get(ThreadLocalRandom.current().nextInt(free.size()));
  }

  /** dnsmasq's lease of {@code address} on host 1's bridge (LXD's leases API lists only leases of live instances). */
  private static Optional<String> leaseOf(String address) throws IOException {
    Path leases = Path.of(LxdTestHosts.SOCKET_1).getParent()
        .resolve("networks").resolve(LxdTestHosts.NETWORK_1).resolve("dnsmasq.leases");
    if (!Files.exists(leases)) {
      return Optional.empty();
    }
    return Files.readAllLines(leases).stream().filter(l -> l.contains(" " + address + " ")).findFirst();
  }

  /** Waits for {@code expected}; a container that holds another address for 5 s was refused its own. */
  private Instance awaitOwnAddress(String name, String expected) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long otherSince = 0;
    Instance last = one.get(name);
    while (System.nanoTime() < deadline) {
      last = one.get(name);
      if (expected.equals(last.ipv4())) {
        return last;
      }
      if (last.ipv4() == null) {
        otherSince = 0;
      } else if (otherSince == 0) {
        otherSince = System.nanoTime();
      } else if (System.nanoTime() - otherSince > 5_000_000_000L) {
        break;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " did not get " + expected + "; it holds " + last.ipv4());
  }

  @Test
  void anAddressAnotherNicHasIsAddressInUseNamingIt() throws IOException {
    String address = freeAddress();
    String squatter = newName();
    one.create(spec(squatter, address));
    String member = newName();
    AddressInUseException e = assertThrows(AddressInUseException.class, () -> {
      one.create(spec(member, address));
      one.start(member);
    });
    assertEquals(address, e.address(), e.getMessage());
    assertEquals("lxd1", e.host());
  }

  @Test
  void anAddressGivenAgainAtOnceIsHeldEvenWhenTheDeletedContainersLeaseSurvived() throws Exception {
    String address = freeAddress();
    String first = newName();
    one.create(spec(first, address));
    one.start(first);
    awaitOwnAddress(first, address);
    assertTrue(leaseOf(address).isPresent(), "the running container holds a lease");

    String mac = one.client().get("/1.0/instances/" + first + "/state").path("network").path("eth0").path("hwaddr").asText();
    try (DhcpReleaseBlock block = DhcpReleaseBlock.forMac(mac)) {
      one.delete(first);
      assertTrue(block.dropped() >= 1, "LXD sent no DHCP release to drop");
    }
    assertTrue(leaseOf(address).isPresent(), "the deleted container's lease should have survived its delete");

    String second = newName();
    long t0 = System.nanoTime();
    one.create(spec(second, address));
    one.start(second);
    Instance held = awaitOwnAddress(second, address);
    System.out.printf("re-used %s held %d ms after create (lease left by the deleted container: %s)%n", address,
        (System.nanoTime() - t0) / 1_000_000, leaseOf(address).orElse("none"));
    assertEquals(address, held.ipv4());
    assertEquals(address, held.configuredIpv4());
  }

  /** What the instance behind {@code address} answers on port 8080 (its name), or null. */
  private static String whoAnswers(String address) {
    try {
      java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL("http://" + address + ":8080/")
          .openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      return null;
    }
  }

  private static String awaitAnswer(String address, String expected) throws InterruptedException {
    String last = null;
    for (int i = 0; i < 50; i++) {
      last = whoAnswers(address);
      if (expected.equals(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    return last;
  }

  private void serveName(String name) {
    dev.cadre.driver.ExecResult r = one.exec(name, dev.cadre.driver.ExecRequest.of("sh", "-c",
        "mkdir -p /w && hostname > /w/index.html && httpd -p 8080 -h /w"));
    assertEquals(0, r.exitCode(), r.stderrText());
  }

  @Test
  void aServiceAddressReachesItsHolderOnlyAndFollowsItWhenMoved() throws Exception {
    String a = freeAddress();
    String b = freeAddress(a);
    String service = freeAddress(a, b);
    String first = newName();
    String second = newName();
    one.create(spec(first, a));
    one.create(spec(second, b));
    one.start(first);
    one.start(second);
    awaitOwnAddress(first, a);
    awaitOwnAddress(second, b);
    serveName(first);
    serveName(second);

    one.assignAddress(first, service);
    one.assignAddress(first, service); // again: no change, no error
    assertEquals(Set.of(service), one.assignedAddresses(first));
    assertEquals(first, awaitAnswer(service, first), "the service address reaches its holder");

    // the other tenant claims the address by itself: its NIC's filter drops the claim
    one.exec(second, dev.cadre.driver.ExecRequest.of("ip", "-4", "addr", "add", service + "/32", "dev", "eth0"));
    one.exec(second, dev.cadre.driver.ExecRequest.of("arping", "-U", "-c", "2", "-I", "eth0", "-s", service, service));
    Thread.sleep(300);
    assertEquals(first, whoAnswers(service), "a claim without the route must not take the address over");
    one.exec(second, dev.cadre.driver.ExecRequest.of("ip", "-4", "addr", "del", service + "/32", "dev", "eth0"));

    one.unassignAddress(first, service);
    one.assignAddress(second, service);
    assertEquals(Set.of(), one.assignedAddresses(first));
    assertEquals(Set.of(service), one.assignedAddresses(second));
    assertEquals(second, awaitAnswer(service, second), "the service address follows its new holder");

    // a stopped holder gives the address up too (the failover of a dead primary)
    one.stop(second, java.time.Duration.ofSeconds(1));
    one.unassignAddress(second, service);
    assertEquals(Set.of(), one.assignedAddresses(second));
  }
}

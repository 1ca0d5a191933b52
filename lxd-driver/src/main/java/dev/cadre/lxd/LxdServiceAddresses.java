package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.Validation;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Service addresses on LXD: the address is a route on the instance's own NIC ({@code ipv4.routes}), so
 * that the host sends it to that NIC and the NIC's filter ({@code security.ipv4_filtering}, set on every
 * NIC cadre makes) lets that instance, and no other, answer for it and send from it. Inside, the instance
 * holds the address on {@code eth0} and announces it with a gratuitous ARP, so that neighbours that had it
 * cached at the old holder's MAC switch at once. Taking it away changes the filter first: from then on the
 * old holder cannot use the address whatever runs inside it.
 *
 * <p>LXD applies a change of {@code ipv4.routes} to a running instance's NIC at once (checked on 5.0.2).
 */
final class LxdServiceAddresses {
  private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration INSIDE_TIMEOUT = Duration.ofSeconds(10);
  /** Gratuitous ARPs, sent without anyone waiting; a few at once at most, the rest queued. */
  private static final java.util.concurrent.ExecutorService ANNOUNCER = new java.util.concurrent.ThreadPoolExecutor(
      0, 4, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(1024), r -> {
        Thread t = new Thread(r, "cadre-lxd-announce");
        t.setDaemon(true);
        return t;
      }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

  private final LxdClient client;
  private final LxdExec exec;
  private final String host;
  private final BusyRetry busy;

  LxdServiceAddresses(LxdClient client, LxdExec exec, String host, BusyRetry busy) {
    this.client = client;
    this.exec = exec;
    this.host = host;
    this.busy = busy;
  }

  void assign(String name, String address) {
    require(name, address);
    boolean running = changeRoutes(name, routes -> routes.add(address + "/32"));
    if (running) {
      if (!holds(name, address)) {
        ExecResult added = inside(name, "ip", "-4", "addr", "add", address + "/32", "dev", "eth0");
        if (!added.ok() && !added.stderrText().contains("File exists")) {
          throw new HostFailureException(host, "instance '" + name + "' could not take " + address + ": "
              + added.stderrText().strip());
        }
      }
      // announced even when it was held already: a neighbour may still have the former holder's MAC (or
      // have given up resolving the address while it moved)
      // neighbours that cached the address at its former holder learn the new MAC now; an image without
      // arping still gets it once their cache entry ages out. arping lingers a second after it sent the
      // announcement, so nobody waits for it: the address is held already.
      ANNOUNCER.execute(() -> {
        try {
          inside(name, "arping", "-U", "-c", "1", "-I", "eth0", "-s", address, address);
        } catch (RuntimeException noArping) {
          // the announcement is a speed-up, not a correctness step
        }
      });
    }
  }

  void unassign(String name, String address) {
    require(name, address);
    boolean running = changeRoutes(name, routes -> routes.remove(address + "/32"));
    // a member that does not show the address needs no exec (a switchover asks this of every other member,
    // on its pause's path); one that shows it, ours or not, loses it (its NIC refuses it already)
    if (running && holds(name, address)) {
      inside(name, "ip", "-4", "addr", "del", address + "/32", "dev", "eth0");
    }
  }

  /** Whether the running instance has the address on eth0 already (a restart drops it: the plane asks again). */
  private boolean holds(String name, String address) {
    for (JsonNode a : client.get("/1.0/instances/" + name + "/state").path("network").path("eth0").path("addresses")) {
      if (address.equals(a.path("address").asText())) {
        return true;
      }
    }
    return false;
  }

  Set<String> assigned(String name) {
    Validation.requireInstanceName(name);
    JsonNode nic = client.get("/1.0/instances/" + name).path("devices").path("eth0");
    return routes(nic).stream().map(r -> r.replace("/32", "")).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /**
   * Applies {@code change} to the NIC's routes (a write only when they changed); answers whether the
   * instance runs. An instance busy with another operation (a stop by force still under way) is asked again.
   */
  private boolean changeRoutes(String name, Consumer<Set<String>> change) {
    boolean[] running = new boolean[1];
    busy.run(host, "changing the routes of " + name, () -> {
      try {
        running[0] = changeRoutesOnce(name, change);
      } catch (dev.cadre.driver.DriverException e) {
        // the former holder's NIC is still being torn down and its host route is still there (LXD
        // answers "File exists" to the new holder's route): that passes like a busy instance
        if (e.getMessage() != null && e.getMessage().contains("File exists")) {
          throw new dev.cadre.driver.HostBusyException(host, e.getMessage());
        }
        throw e;
      }
    });
    return running[0];
  }

  private boolean changeRoutesOnce(String name, Consumer<Set<String>> change) {
    JsonNode instance = client.get("/1.0/instances/" + name);
    JsonNode eth0 = instance.path("devices").path("eth0");
    if (!eth0.isObject()) {
      throw new InvalidInputException(host, "instance '" + name + "' has no NIC eth0 of its own to carry an address");
    }
    Set<String> before = routes(eth0);
    Set<String> after = new LinkedHashSet<>(before);
    change.accept(after);
    if (!after.equals(before)) {
      ObjectNode nic = eth0.deepCopy();
      if (after.isEmpty()) {
        nic.remove("ipv4.routes");
      } else {
        nic.put("ipv4.routes", String.join(",", after));
      }
      ObjectNode body = client.object();
      body.putObject("devices").set("eth0", nic);
      client.call("PATCH", "/1.0/instances/" + name, body, CHANGE_TIMEOUT);
    }
    return "Running".equals(instance.path("status").asText());
  }

  private static Set<String> routes(JsonNode nic) {
    return Arrays.stream(nic.path("ipv4.routes").asText("").split(","))
        .map(String::strip).filter(r -> !r.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private ExecResult inside(String name, String... argv) {
    return exec.run(name, ExecRequest.of(argv).withTimeout(INSIDE_TIMEOUT).withOutputLimit(64 * 1024));
  }

  private static void require(String name, String address) {
    Validation.requireInstanceName(name);
    Validation.requireIpv4(address);
  }
}

package dev.cadre.api;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Host 1 of the test machine (started by scripts/lxd-hosts), seen directly through the LXD driver so
 * tests can check what cadre left on it. Environment variables override the defaults like the
 * lxd-driver ITs do.
 */
final class RealLxd {
  static final String SOCKET = env("CADRE_LXD1_SOCKET", "/var/lib/lxd/unix.socket");
  static final String ENDPOINT = "unix://" + SOCKET;
  static final String NETWORK = env("CADRE_LXD1_NETWORK", "cadrebr0");
  static final String DATACENTER = "dc1";

  private RealLxd() {}

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  static HostDriver open(Path stateDir) {
    for (HostDriverFactory factory : ServiceLoader.load(HostDriverFactory.class)) {
      if (factory.kind().equals("lxd")) {
        return factory.open("lxd1-check", ENDPOINT, Map.of(), stateDir);
      }
    }
    throw new IllegalStateException("no lxd driver on the class path");
  }

  /** Instances that belong to an app: named after it, or holding one of its addresses. */
  static List<Instance> leftovers(HostDriver lxd, String app, List<String> addresses) {
    return lxd.list().stream()
        // an instance may have no address at all; List.of(...).contains(null) would throw
        .filter(i -> i.name().contains(app) || holds(addresses, i.configuredIpv4()) || holds(addresses, i.ipv4()))
        .collect(Collectors.toList());
  }

  private static boolean holds(List<String> addresses, String ip) {
    return ip != null && addresses.contains(ip);
  }

  /** The host's containers of an app (members are named {@code <app>-<service>-<n>}); others may share the host. */
  static java.util.Set<String> containersOf(HostDriver lxd, String app) {
    return lxd.list().stream().map(Instance::name).filter(n -> app != null && n.startsWith(app + "-"))
        .collect(Collectors.toSet());
  }

  /** Deletes what a test left of its app, saying what it could not, and closes the client. */
  static void removeAndClose(HostDriver lxd, String app) {
    for (String name : containersOf(lxd, app)) {
      try {
        lxd.delete(name);
      } catch (RuntimeException e) {
        System.err.println("cleanup of " + name + " failed: " + e);
      }
    }
    lxd.close();
  }

  static String registerBody(String name) {
    return "{\"name\":\"" + name + "\",\"driver\":\"lxd\",\"endpoint\":\"" + ENDPOINT + "\",\"datacenter\":\""
        + DATACENTER + "\",\"network\":\"" + NETWORK + "\"}";
  }

  static String appBody(String app, String template, int count) {
    return "{\"name\":\"" + app + "\",\"datacenter\":\"" + DATACENTER + "\",\"services\":[{\"name\":\"web\",\"template\":\""
        + template + "\",\"count\":" + count + "}]}";
  }

  /** 10.77.0.128 - 10.77.0.254: the upper half of host 1's network is cadre's pool. */
  static boolean inPool(String ip) {
    if (ip == null || !ip.startsWith("10.77.0.")) {
      return false;
    }
    int last = Integer.parseInt(ip.substring("10.77.0.".length()));
    return last >= 128 && last <= 254;
  }
}

package dev.cadre.bench;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.UnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory hosts (the driver suite's {@link FakeHostDriver}) opened by endpoint {@code fake://NAME}: what the
 * scale benches register instead of LXD hosts, so that they measure the control plane, not containers.
 * {@link #layout} makes the same hosts in every process, so servers sharing a store open the same names.
 */
final class FakeHosts implements HostDriverFactory {
  /** One host to register: its name, datacenter and the gateway/prefix of its network {@code net0}. */
  record Host(String name, String datacenter, String cidr) {}

  private final Map<String, FakeHostDriver> hosts = new ConcurrentHashMap<>();
  private final List<Host> layout;

  /**
   * {@code count} hosts spread over {@code datacenters} datacenters ({@code dc1}..), named {@code dcD-hN}; each
   * datacenter one network 10.D.0.0/20 (4,094 addresses: room for a thousand members and their service addresses).
   */
  FakeHosts(int count, int datacenters) {
    List<Host> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int dc = i % datacenters + 1;
      String name = "dc" + dc + "-h" + (i / datacenters + 1);
      out.add(new Host(name, "dc" + dc, "10." + dc + ".0.1/20"));
      hosts.put(name, new FakeHostDriver(name, "net0", out.get(i).cidr()));
    }
    this.layout = List.copyOf(out);
  }

  List<Host> layout() {
    return layout;
  }

  @Override
  public String kind() {
    return "fake";
  }

  @Override
  public HostDriver open(String hostName, String endpoint, Map<String, String> options, Path stateDir) {
    if (endpoint == null || !endpoint.startsWith("fake://")) {
      throw new InvalidInputException(null, "fake endpoints look like fake://name");
    }
    FakeHostDriver d = hosts.get(endpoint.substring("fake://".length()));
    if (d == null) {
      throw new UnavailableException(hostName, "no fake host " + endpoint);
    }
    return d;
  }
}

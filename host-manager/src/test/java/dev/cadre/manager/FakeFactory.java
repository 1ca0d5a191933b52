package dev.cadre.manager;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.UnavailableException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Opens in-memory hosts by endpoint {@code fake://<name>}; the same endpoint gives the same host (it outlives a restart). */
final class FakeFactory implements HostDriverFactory {
  final Map<String, FakeHostDriver> hosts = new ConcurrentHashMap<>();
  /** Endpoint names whose hosts do not answer: every verb but kind/hostName/close throws Unavailable. */
  final java.util.Set<String> down = ConcurrentHashMap.newKeySet();
  /**
   * Endpoint names whose hosts accept and never answer: every verb but kind/hostName/close blocks, deaf to
   * interrupts like a socket read, until {@link #unhang} is counted down.
   */
  final java.util.Set<String> hung = ConcurrentHashMap.newKeySet();
  final java.util.concurrent.CountDownLatch unhang = new java.util.concurrent.CountDownLatch(1);
  /** Addresses a stale DHCP lease keeps: a container configured with one of them comes up with 10.77.0.5. */
  final java.util.Set<String> stale = ConcurrentHashMap.newKeySet();
  /** Addresses another tenant's NIC has: starting a container configured with one is refused as address in use. */
  final java.util.Set<String> claimed = ConcurrentHashMap.newKeySet();
  /**
   * While set, a copy with a progress listener is a copy under way for a test to look at: it takes 600 ms
   * before it reports its bytes (so that the report is not too soon after its step began to be written),
   * then waits until this is counted down.
   */
  volatile java.util.concurrent.CountDownLatch copyHold;
  /** Endpoint names whose probe reports this many CPUs (a fake host has 4 otherwise). */
  final Map<String, Integer> cpus = new ConcurrentHashMap<>();
  /** How many of the next find calls time out (a host slow to answer for a moment). */
  final java.util.concurrent.atomic.AtomicInteger findTimeouts = new java.util.concurrent.atomic.AtomicInteger();

  /** Adds a host with network {@code net0} at {@code cidr}. */
  FakeHostDriver add(String endpointName, String cidr) {
    FakeHostDriver d = new FakeHostDriver(endpointName, "net0", cidr);
    hosts.put(endpointName, d);
    return d;
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
    String name = endpoint.substring("fake://".length());
    FakeHostDriver d = hosts.get(name);
    if (d == null) {
      throw new UnavailableException(hostName, "no fake host " + name);
    }
    return (HostDriver) java.lang.reflect.Proxy.newProxyInstance(HostDriver.class.getClassLoader(),
        new Class<?>[] {HostDriver.class}, (proxy, method, args) -> {
          String verb = method.getName();
          boolean io = !verb.equals("kind") && !verb.equals("hostName") && !verb.equals("close");
          while (io && hung.contains(name) && unhang.getCount() > 0) {
            try {
              unhang.await();
            } catch (InterruptedException deaf) {
              // a hung socket read does not notice
            }
          }
          if (io && down.contains(name)) {
            throw new UnavailableException(hostName, "connection refused (fake host " + name + " is down)");
          }
          if (verb.equals("copyTo")) {
            // the fake copies only to another fake: hand it the host behind the target's proxy
            args = args.clone();
            args[0] = hosts.get(((HostDriver) args[0]).hostName());
            java.util.concurrent.CountDownLatch hold = copyHold;
            if (hold != null && args.length == 3) {
              Thread.sleep(600);
              java.util.function.LongConsumer told = (java.util.function.LongConsumer) args[2];
              args[2] = (java.util.function.LongConsumer) bytes -> {
                told.accept(bytes);
                try {
                  hold.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              };
            }
          }
          if (verb.equals("start")) {
            var i = d.get((String) args[0]);
            if (claimed.contains(i.configuredIpv4())) {
              throw new dev.cadre.driver.AddressInUseException(hostName, i.configuredIpv4(),
                  "address " + i.configuredIpv4() + " is on another NIC of the network");
            }
          }
          if (verb.equals("probe") && cpus.containsKey(name)) {
            var i = d.probe();
            return new dev.cadre.driver.HostInfo(i.name(), i.driver(), i.version(), i.architecture(), cpus.get(name),
                i.memoryBytes(), i.memoryUsedBytes(), i.diskBytes(), i.diskUsedBytes(), i.instances(), i.networks());
          }
          if (verb.equals("find")) {
            if (findTimeouts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
              throw new dev.cadre.driver.TimedOutException(hostName, "no answer in time (fake host " + name + ")");
            }
            var found = d.find((String) args[0]);
            if (found.isPresent() && found.get().ipv4() != null && stale.contains(found.get().configuredIpv4())) {
              var i = found.get();
              return java.util.Optional.of(new dev.cadre.driver.Instance(i.name(), i.state(), i.nativeState(),
                  "10.77.0.5", i.configuredIpv4(), i.network(), i.metadata()));
            }
            return found;
          }
          try {
            return method.invoke(d, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}

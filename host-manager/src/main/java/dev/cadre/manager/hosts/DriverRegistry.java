package dev.cadre.manager.hosts;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.Store;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One open driver per host, made through the factory of the host's driver kind. Registration opens
 * with the trust secret once; later opens (after a restart) rely on what the driver kept in its state
 * directory, and on the identity pinned in the store at registration.
 */
public final class DriverRegistry implements AutoCloseable {
  private final Map<String, HostDriverFactory> factories = new TreeMap<>();
  private final Store store;
  private final Path stateDir;
  private final Map<String, HostDriver> open = new ConcurrentHashMap<>();

  public DriverRegistry(List<HostDriverFactory> factories, Store store, Path stateDir) {
    factories.forEach(f -> this.factories.put(f.kind(), f));
    this.store = store;
    this.stateDir = stateDir;
  }

  public HostDriverFactory factory(String kind) {
    HostDriverFactory f = kind == null ? null : factories.get(kind);
    if (f == null) {
      throw new InvalidInputException(null, "unknown driver " + (kind == null ? "(none)" : "'" + kind + "'")
          + "; this server has: " + String.join(", ", factories.keySet()));
    }
    return f;
  }

  /** Opens a driver for a host that is not registered yet (the caller closes it on failure). */
  public HostDriver openNew(String name, String kind, String endpoint, String trust) {
    return openPinned(name, kind, endpoint, trust, null);
  }

  /**
   * Opens a driver that accepts only a server proving {@code fingerprint} (null: the first identity seen),
   * asking it to trust cadre with {@code trust} when given (the caller closes it on failure).
   */
  public HostDriver openPinned(String name, String kind, String endpoint, String trust, String fingerprint) {
    Map<String, String> options = new java.util.HashMap<>();
    if (trust != null && !trust.isEmpty()) {
      options.put("trust", trust);
    }
    if (fingerprint != null) {
      options.put("fingerprint", fingerprint);
    }
    return factory(kind).open(name, endpoint, options, stateDir);
  }

  /** Keeps the driver of a host just registered. */
  public void adopt(String name, HostDriver driver) {
    HostDriver before = open.put(name, driver);
    if (before != null && before != driver) {
      before.close();
    }
  }

  /** The driver of a registered host, opened on first use. */
  public HostDriver driver(String host) {
    HostDriver d = open.get(host);
    if (d != null) {
      return d;
    }
    HostRecord h = store.host(host).orElseThrow(() -> new NotFoundException(null, "host '" + host + "' not found"));
    // a host registered over a transport with an identity accepts that identity only, after a restart too
    String pinned = store.hostFingerprint(host).orElse(null);
    return open.computeIfAbsent(host, n -> openPinned(h.name(), h.driver(), h.endpoint(), null, pinned));
  }

  public void forget(String host) {
    HostDriver d = open.remove(host);
    if (d != null) {
      d.close();
    }
  }

  public String kinds() {
    return factories.keySet().stream().collect(Collectors.joining(", "));
  }

  @Override
  public void close() {
    open.values().forEach(d -> {
      try {
        d.close();
      } catch (RuntimeException ignored) {
        // closing: nothing to do about it
      }
    });
    open.clear();
  }
}

package dev.cadre.manager.provisioning;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.hosts.DriverRegistry;
import java.util.Optional;

/**
 * Removing members' containers safely: only a container that carries this store's id is deleted, so
 * that a name clash with a container cadre did not make (or another cadre's) never costs someone else
 * their container.
 */
public final class Containers {
  /** Metadata keys cadre puts on every container (LXD shows them as {@code user.cadre.*}). */
  public static final String STORE = "cadre.store";
  public static final String APP = "cadre.app";
  public static final String SERVICE = "cadre.service";
  public static final String MEMBER = "cadre.member";
  public static final String OPERATION = "cadre.operation";

  private static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(2);
  private final DriverRegistry drivers;
  private final String storeId;

  public Containers(DriverRegistry drivers, String storeId) {
    this.drivers = drivers;
    this.storeId = storeId;
  }

  private final java.util.Map<String, Object> deleteLocks = new java.util.concurrent.ConcurrentHashMap<>();

  private Object deleteLock(String host) {
    return deleteLocks.computeIfAbsent(host, h -> new Object());
  }

  /** A stop that timed out may still be running at the host for a moment: the delete waits for it. */
  private static void deleteRetrying(HostDriver d, String name) {
    for (int attempt = 1; ; attempt++) {
      try {
        d.delete(name);
        return;
      } catch (dev.cadre.driver.ConflictException | dev.cadre.driver.HostFailureException busy) {
        if (attempt >= 40 || busy.getMessage() == null || !busy.getMessage().contains("busy")) {
          throw busy;
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw busy;
        }
      }
    }
  }

  public DriverRegistry drivers() {
    return drivers;
  }

  public String storeId() {
    return storeId;
  }

  public boolean ours(Instance i) {
    return storeId.equals(i.metadata().get(STORE));
  }

  /**
   * Deletes the member's container when it exists and is ours. Answers what happened, for the step log.
   * Throws the driver's exception when the host cannot be reached.
   */
  public String remove(String host, String name) {
    HostDriver d = drivers.driver(host);
    Optional<Instance> found = d.find(name);
    if (found.isEmpty()) {
      return "no container " + name + " on " + host;
    }
    if (!ours(found.get())) {
      return "container " + name + " on " + host + " is not this cadre's; left alone";
    }
    try {
      if (found.get().running()) {
        // stopping needs no lock and is most of a delete's time
        try {
          d.stop(name, STOP_GRACE);
        } catch (dev.cadre.driver.ConflictException | dev.cadre.driver.HostFailureException stopped) {
          // already stopped (or stopping by itself): the delete below forces what is left
        }
      }
      // one delete at a time per host: LXD clears the container's DHCP lease when it deletes it, and
      // concurrent deletes on one network lose some of those clearings; a stale lease then keeps the
      // address from the next container that is given it (for the lease's lifetime)
      synchronized (deleteLock(host)) {
        deleteRetrying(d, name);
      }
    } catch (NotFoundException gone) {
      return "no container " + name + " on " + host;
    }
    return "deleted container " + name + " on " + host;
  }
}

package dev.cadre.manager.provisioning;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostBusyException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostFailureException;
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
    return remove(host, name, true);
  }

  /**
   * Removes the container without the graceful stop first: for what is thrown away whole (an app deleted,
   * a create rolled back), where a clean shutdown protects nothing and costs seconds per member (busybox's
   * init takes about 3 s to stop, against about 1 s forced).
   */
  public String discard(String host, String name) {
    return remove(host, name, false);
  }

  private String remove(String host, String name, boolean graceful) {
    HostDriver d = drivers.driver(host);
    Optional<Instance> found = d.find(name);
    if (found.isEmpty()) {
      return "no container " + name + " on " + host;
    }
    if (!ours(found.get())) {
      return "container " + name + " on " + host + " is not this cadre's; left alone";
    }
    try {
      if (graceful && found.get().running()) {
        // a short graceful stop first, so the container can shut its services down cleanly
        try {
          d.stop(name, STOP_GRACE);
        } catch (ConflictException | HostFailureException | HostBusyException stopped) {
          // already stopped, stopping by itself, or still busy stopping: the delete forces what is left
          // (and waits out a busy host itself)
        }
      }
      d.delete(name);
    } catch (NotFoundException gone) {
      return "no container " + name + " on " + host;
    }
    return "deleted container " + name + " on " + host;
  }
}

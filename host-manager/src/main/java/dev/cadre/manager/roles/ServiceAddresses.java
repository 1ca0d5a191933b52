package dev.cadre.manager.roles;

import dev.cadre.driver.DriverException;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.Template;
import java.util.List;
import java.util.Set;

/**
 * A service's own address, which clients keep across conversions, promotions and failovers: allocated from
 * the datacenter's pool (held in the address table by {@link ServiceRecord#addressHolder()}), carried by
 * the primary's NIC through the driver (see {@code HostDriver#assignAddress}), and moved by taking it from
 * every other member first: the old holder's NIC refuses the address before the new holder takes it.
 */
public final class ServiceAddresses {
  private final Store store;
  private final Ipam ipam;
  private final DriverRegistry drivers;

  public ServiceAddresses(Store store, Ipam ipam, DriverRegistry drivers) {
    this.store = store;
    this.ipam = ipam;
    this.drivers = drivers;
  }

  /**
   * True for a template with a primary and replicas in some topology: its services have an address that
   * follows the primary. (A template whose members are all alike, like busybox, has none.)
   */
  public static boolean hasPrimary(Template t) {
    return t.topologies().stream().anyMatch(topology -> t.roles(topology).contains(Roles.PRIMARY))
        && t.topologies().stream().anyMatch(topology -> t.roles(topology).contains(Roles.REPLICA));
  }

  /** The service's address, allocated now when it has none yet. */
  public ServiceRecord allocate(String datacenter, ServiceRecord s, Set<String> avoid) {
    if (s.address() != null) {
      return s;
    }
    ServiceRecord withAddress = s.withAddress(ipam.allocate(datacenter, s.addressHolder(), avoid));
    store.updateService(withAddress);
    return withAddress;
  }

  public int release(ServiceRecord s) {
    return ipam.release(s.addressHolder());
  }

  /** Takes the address from every member but {@code holder}, then gives it to {@code holder}. */
  public void moveTo(OperationContext ctx, ServiceRecord s, MemberRecord holder, List<MemberRecord> members) {
    if (s.address() == null) {
      return;
    }
    for (MemberRecord m : members) {
      // a demoted member is fenced on its own (it may be stopping, or on a host that does not answer)
      if (!m.name().equals(holder.name()) && m.state() != dev.cadre.manager.lifecycle.MemberState.DEMOTED) {
        takeFrom(ctx, s, m);
      }
    }
    drivers.driver(holder.host()).assignAddress(holder.name(), s.address());
    ctx.step(holder.name() + ": service address", s.address() + " now reaches " + holder.name());
  }

  /** Gives the address to {@code holder} without taking it from anyone (the caller has: see {@link #moveTo}). */
  void give(ServiceRecord s, MemberRecord holder) {
    if (s.address() != null) {
      drivers.driver(holder.host()).assignAddress(holder.name(), s.address());
    }
  }

  /**
   * Takes the address from {@code m} (the fence: its NIC refuses the address from then on). A host that
   * does not answer cannot be fenced; that is recorded and the change goes on.
   */
  public boolean takeFrom(OperationContext ctx, ServiceRecord s, MemberRecord m) {
    if (s.address() == null) {
      return true;
    }
    try {
      drivers.driver(m.host()).unassignAddress(m.name(), s.address());
      return true;
    } catch (DriverException e) {
      if (e instanceof dev.cadre.driver.NotFoundException) {
        return true; // no container: nothing holds the address there
      }
      ctx.step(m.name() + ": fence", StepStatus.FAILED, "could not take " + s.address() + " from " + m.name()
          + " on " + m.host() + ": " + e.getMessage());
      return false;
    }
  }
}

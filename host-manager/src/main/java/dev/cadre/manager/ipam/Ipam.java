package dev.cadre.manager.ipam;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Hands out member addresses per datacenter: the lowest free address of the pool, claimed by inserting
 * it under the store's unique constraint. Two callers that pick the same address both try; one insert
 * wins, the other picks again. So an address is never given twice, across threads and across servers.
 */
public final class Ipam {
  private static final int MAX_ROUNDS = 1000;
  private final Store store;
  private final Clock clock;

  public Ipam(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The subnet and pool of a datacenter that is new: from the first host's network. */
  public static DatacenterRecord datacenterFor(String name, String gatewayCidr, Clock clock) {
    Subnet s = Subnet.parseGatewayCidr(gatewayCidr);
    return new DatacenterRecord(name, s.cidr(), s.gatewayAddress(), Subnet.toString(s.poolStart()),
        Subnet.toString(s.poolEnd()), clock.instant());
  }

  public static Subnet subnetOf(DatacenterRecord dc) {
    String prefix = dc.subnet().substring(dc.subnet().indexOf('/') + 1);
    return Subnet.parseGatewayCidr(dc.gateway() + "/" + prefix);
  }

  /** Free addresses left in the datacenter's pool. */
  public int free(String datacenter) {
    DatacenterRecord dc = require(datacenter);
    Subnet s = subnetOf(dc);
    Set<String> taken = store.allocatedAddresses(datacenter);
    int free = 0;
    for (int a = s.poolStart(); Integer.compareUnsigned(a, s.poolEnd()) <= 0; a++) {
      if (s.inPool(a) && !taken.contains(Subnet.toString(a))) {
        free++;
      }
    }
    return free;
  }

  /** The {@code n} lowest free addresses (fewer when the pool has fewer), claiming none: what a plan shows. */
  public java.util.List<String> peek(String datacenter, int n, Set<String> avoid) {
    DatacenterRecord dc = require(datacenter);
    Subnet s = subnetOf(dc);
    Set<String> taken = store.allocatedAddresses(datacenter);
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int a = s.poolStart(); Integer.compareUnsigned(a, s.poolEnd()) <= 0 && out.size() < n; a++) {
      String address = Subnet.toString(a);
      if (s.inPool(a) && !taken.contains(address) && !avoid.contains(address)) {
        out.add(address);
      }
    }
    return out;
  }

  /** Claims the lowest free address for {@code member}; Conflict when the pool is exhausted. */
  public String allocate(String datacenter, String member) {
    return allocate(datacenter, member, Set.of());
  }

  /**
   * Like {@link #allocate(String, String)} but never {@code avoid}: addresses the datacenter's hosts
   * show in use by containers that are not cadre's (made by hand, or by another cadre).
   */
  public String allocate(String datacenter, String member, Set<String> avoid) {
    DatacenterRecord dc = require(datacenter);
    Subnet s = subnetOf(dc);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Set<String> taken = store.allocatedAddresses(datacenter);
      boolean sawFree = false;
      for (int a = s.poolStart(); Integer.compareUnsigned(a, s.poolEnd()) <= 0; a++) {
        String address = Subnet.toString(a);
        if (!s.inPool(a) || taken.contains(address) || avoid.contains(address)) {
          continue;
        }
        sawFree = true;
        if (store.tryAllocate(datacenter, address, member, clock.instant())) {
          return address;
        }
        // someone else took it between our read and our insert: try the next one
      }
      if (!sawFree) {
        throw new ConflictException(null, "datacenter '" + datacenter + "' has no free address left in its pool "
            + dc.poolStart() + "-" + dc.poolEnd());
      }
    }
    throw new ConflictException(null, "could not claim an address in datacenter '" + datacenter
        + "' after " + MAX_ROUNDS + " tries (too many concurrent claims)");
  }

  /** Who holds a quarantined address: not a valid member name, so no member ever releases it by mistake. */
  public static final String QUARANTINE = "~quarantine";
  /**
   * How long a quarantined address stays out of use: long enough for whatever held it outside cadre's
   * records to let go (a DHCP lease lasts an hour on common defaults, LXD's among them).
   */
  public static final Duration QUARANTINE_TIME = Duration.ofHours(1);

  /**
   * Keeps an address out of use for {@link #QUARANTINE_TIME}: something outside cadre's records (a
   * container cadre does not know, a lease on the host's network) holds it.
   */
  public void quarantine(String member, String address) {
    store.moveAddress(member, address, QUARANTINE, clock.instant());
  }

  /** Ends quarantines older than {@link #QUARANTINE_TIME}. */
  public int releaseQuarantined() {
    return store.releaseAddressesOf(QUARANTINE, clock.instant().minus(QUARANTINE_TIME));
  }

  /**
   * Releases every address {@code member} holds. It may be handed out again at once: a driver gives a
   * re-used address everything it needs to work right away (on LXD, the same MAC, so the DHCP lease a
   * deleted container left behind fits the new one).
   */
  public int release(String member) {
    return store.releaseAddresses(member);
  }

  private DatacenterRecord require(String datacenter) {
    return store.datacenter(datacenter)
        .orElseThrow(() -> new NotFoundException(null, "datacenter '" + datacenter + "' not found"));
  }
}

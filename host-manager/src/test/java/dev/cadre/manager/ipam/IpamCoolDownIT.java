package dev.cadre.manager.ipam;

import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.lifecycle.OperationStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A released address is passed over while others are free (the DHCP server still holds the deleted
 * container's lease on it), taken again once its cool-down is over, and used anyway when nothing else
 * is left. Against the real embedded database.
 */
class IpamCoolDownIT {
  @TempDir
  Path dir;

  private Instant now = Instant.parse("2026-11-24T12:00:00Z");

  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @Test
  void aReleasedAddressCoolsDownBeforeItIsHandedOutAgain() {
    try (TestDatabase db = TestDatabase.h2(dir); JdbcStore store = db.open(2)) {
      // a /29: pool .4-.6 (upper half minus broadcast)
      store.registerHost(Ipam.datacenterFor("dc1", "10.77.0.1/29", clock),
          new HostRecord("h1", "lxd", "unix:///x", "dc1", "br0", HostState.READY, 1, 1, 0, 1, 0, null, now),
          new OperationRecord("op1", OperationKind.REGISTER_HOST, "hosts/h1", OperationStatus.SUCCESS, 100, null, now, now));
      Ipam ipam = new Ipam(store, clock);
      assertEquals("10.77.0.4", ipam.allocate("dc1", "a"));
      assertEquals("10.77.0.5", ipam.allocate("dc1", "b"));
      ipam.release("a");

      assertEquals("10.77.0.6", ipam.allocate("dc1", "c"), "the address released a moment ago waits");
      assertEquals("10.77.0.4", ipam.allocate("dc1", "d"), "nothing else is free: the cooling one is used");

      ipam.release("d");
      ipam.release("c");
      now = now.plus(Ipam.COOL_DOWN).plusSeconds(1);
      assertEquals("10.77.0.4", ipam.allocate("dc1", "e"), "cooled down: the lowest free address again");
    }
  }
}

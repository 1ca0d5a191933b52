package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZoneNamesTest {
  @Test
  void acceptsNamesBothZonesAndTheContractAllow() {
    for (String ok : List.of("web1", "a", "db-primary-2", "x".repeat(63), "Z9")) {
      assertEquals(ok, ZoneNames.requireZoneName(ok));
    }
  }

  @Test
  void refusesWhatIllumosOrTheContractRefuses() {
    for (String bad : List.of("../x", "a b", "x".repeat(64), "x".repeat(200), "", "-lead", "semi;colon", "new\nline",
        "global", "SUNWfoo", "a_b", "a.b", "1abc", "web1-", "zone$(id)")) {
      assertThrows(InvalidInputException.class, () -> ZoneNames.requireZoneName(bad), bad);
    }
  }

  @Test
  void vnicNamesAreValidLinkNamesDerivedOnlyFromTheZoneName() {
    String vnic = ZoneNames.vnicFor("web1");
    assertEquals(vnic, ZoneNames.vnicFor("web1"));
    assertTrue(vnic.matches("cadre[a-z]{10}0"), vnic);
    assertEquals(vnic, ZoneNames.requireLinkName(vnic));
    assertTrue(ZoneNames.isCadreVnic(vnic));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      assertTrue(seen.add(ZoneNames.vnicFor("zone-" + i)), "collision at " + i);
    }
    assertNotEquals(ZoneNames.vnicFor("a"), ZoneNames.vnicFor("A"));
  }

  @Test
  void linkNamesFollowLibdladm() {
    for (String ok : List.of("e1000g0", "vioif0", "stub0", "aggr_1", "ixgbe10")) {
      assertEquals(ok, ZoneNames.requireLinkName(ok));
    }
    for (String bad : List.of("eth", "0abc0", "br-0", "net.0", "a".repeat(30) + "0", "", "e1000g0;x")) {
      assertThrows(InvalidInputException.class, () -> ZoneNames.requireLinkName(bad), bad);
    }
    assertTrue(!ZoneNames.isCadreVnic("e1000g0"));
  }
}

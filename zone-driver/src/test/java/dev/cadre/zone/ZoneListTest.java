package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ZoneListTest {
  private final List<ZoneEntry> zones = ZoneList.parse(Fixtures.read("zoneadm-list-cp.txt"));

  @Test
  void readsEveryDocumentedField() {
    assertEquals(new ZoneEntry("3", "web1", "running", "/zones/web1", "4a7d0c3e-2f5e-6b7c-8d9e-0f1a2b3c4d5e", "sparse", "excl"),
        zones.get(1));
    assertEquals(new ZoneEntry("0", "global", "running", "/", "", "ipkg", "shared"), zones.get(0));
    assertEquals(6, zones.size());
  }

  @Test
  void unescapesColonsInTheZonepathOnly() {
    ZoneEntry odd = zones.get(2);
    assertEquals("/zones/with:colons:here", odd.zonepath());
    assertEquals("1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901", odd.uuid());
    assertEquals("lipkg", odd.brand());
  }

  @Test
  void anEmptyUuidKeepsTheFieldsAfterItInPlace() {
    assertEquals(new ZoneEntry("-", "cfg", "configured", "/zones/cfg", "", "sparse", "excl"), zones.get(3));
  }

  @Test
  void extraTrailingFieldsAreIgnoredAndMissingOnesAreEmpty() {
    ZoneEntry smartos = zones.get(4);
    assertEquals("joyent-minimal", smartos.brand());
    assertEquals("excl", smartos.ipType());
    assertEquals(new ZoneEntry("-", "legacy", "installed", "/export/legacy", "", "", ""), zones.get(5));
  }

  @Test
  void aBackslashNotBeforeAColonStays() {
    assertEquals("/zones/a\\b", ZoneList.parseLine("-:z:installed:/zones/a\\b:u:sparse:excl").zonepath());
  }

  @Test
  void aLineWithoutTheFirstThreeFieldsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ZoneList.parse("zoneadm: permission denied\n"));
    assertThrows(IllegalArgumentException.class, () -> ZoneList.parseLine("3:web1"));
  }
}

package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZonecfgInfoTest {
  private final ZoneConfig config = ZonecfgInfo.parse(Fixtures.read("zonecfg-info.txt"));

  @Test
  void readsGlobalProperties() {
    assertEquals("web1", config.zonename());
    assertEquals("/zones/web1", config.zonepath());
    assertEquals("sparse", config.brand());
    assertEquals("exclusive", config.ipType());
  }

  @Test
  void readsTheNetResourceAndSkipsNotSpecifiedProperties() {
    assertEquals(List.of(new ZoneNet("cadrexcxaxthwap0", "10.77.0.10/24", "10.77.0.1")), config.nets());
    assertEquals("10.77.0.10", config.primaryNet().ipv4());
  }

  @Test
  void readsCapsIncludingTheBracketedCpuCap() {
    assertEquals("1.50", config.cappedCpus());
    assertEquals("1.5G", config.cappedMemory());
    assertEquals(2, ZoneSizes.toCpus(config.cappedCpus()));
    assertEquals(1536, ZoneSizes.toMiB(config.cappedMemory()));
  }

  @Test
  void readsAttrsUnquotingValuesWithSpaces() {
    assertEquals("two words; and = more", config.attrs().get("cadre.note"));
    assertEquals(Map.of("cadre.member", "m1", "note", "two words; and = more", "blob", "\"a\"\nb"),
        ZoneAttrs.metadata(config.attrs()));
    assertEquals(4, config.attrs().size(), "the non-cadre attr is read but is not metadata");
  }

  @Test
  void aZoneWithoutResourcesHasNoNetAndNoCaps() {
    ZoneConfig bare = ZonecfgInfo.parse("zonename: z\nzonepath: /zones/z\nbrand: sparse\npool: \nip-type: shared\n");
    assertNull(bare.primaryNet());
    assertNull(bare.cappedMemory());
    assertEquals(Map.of(), bare.attrs());
  }

  @Test
  void aResourceFollowedByATopLevelLineIsKept() {
    ZoneConfig c = ZonecfgInfo.parse("zonename: z\nattr:\n\tname: cadre.k\n\ttype: string\n\tvalue: v\n[max-lwps: 2000]\n");
    assertEquals(Map.of("cadre.k", "v"), c.attrs());
  }
}

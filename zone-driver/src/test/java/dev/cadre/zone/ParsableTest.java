package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParsableTest {
  @Test
  void splitsDladmParsableOutputAndUnescapesColonsAndBackslashes() {
    List<List<String>> rows = Parsable.parse(Fixtures.read("dladm-show-vnic.txt"));
    assertEquals(List.of("cadrexcxaxthwap0", "e1000g0", "2:8:20:4a:b:1c"), rows.get(0));
    assertEquals(List.of("web1_0", "aggr0", "2:8:20:d9:3:7f"), rows.get(1));
    assertEquals(List.of("odd0", "stub\\0", "2:8:20:0:0:1"), rows.get(2));
    assertEquals(3, rows.size());
  }

  @Test
  void keepsEmptyFields() {
    assertEquals(List.of("lo0/v4", "", "x"), Parsable.fields("lo0/v4::x"));
    assertEquals(List.of("lo0/v6", "::1/128"), Parsable.fields("lo0/v6:\\:\\:1/128"));
  }
}

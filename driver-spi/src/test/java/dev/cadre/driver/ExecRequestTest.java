package dev.cadre.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecRequestTest {
  @Test
  void refusesWhatNoProcessCouldBeGiven() {
    for (String bad : List.of("", "1A", "A B", "A;B", "A=B", "$(id)", "A-B", "é")) {
      assertThrows(InvalidInputException.class, () -> ExecRequest.of("true").withEnv(Map.of(bad, "x")), bad);
    }
    assertThrows(InvalidInputException.class, () -> ExecRequest.of("true").withEnv(Map.of("A", "a\0b")));
    assertThrows(InvalidInputException.class, () -> ExecRequest.of("printf", "a\0b"));
    assertEquals(Map.of("_A1", "any 'value'\n"), ExecRequest.of("true").withEnv(Map.of("_A1", "any 'value'\n")).env());
  }
}

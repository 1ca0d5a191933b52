package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadre.driver.InstanceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;

class ZoneStatesTest {
  @ParameterizedTest
  @CsvSource({
      "configured, STOPPED",
      "incomplete, ERROR",
      "installed, STOPPED",
      "ready, STARTING",
      "running, RUNNING",
      "shutting_down, STOPPING",
      "down, STOPPING",
      "mounted, UNRECOGNIZED",
      "Running, UNRECOGNIZED",
      "unavailable, UNRECOGNIZED",
  })
  void mapsEveryZoneStateAndNothingElse(String zoneState, InstanceState expected) {
    assertEquals(expected, ZoneStates.toState(zoneState));
  }

  @ParameterizedTest
  @NullSource
  void noStateIsUnrecognized(String none) {
    assertEquals(InstanceState.UNRECOGNIZED, ZoneStates.toState(none));
  }
}

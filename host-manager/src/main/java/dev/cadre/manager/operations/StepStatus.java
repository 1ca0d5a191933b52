package dev.cadre.manager.operations;

import java.util.Arrays;
import java.util.Locale;

/** How one recorded step of an operation ended, or that it is still under way. */
public enum StepStatus {
  /** Under way: see {@link RunningStep}. */
  RUNNING,
  DONE,
  FAILED,
  /** Rolled back. */
  UNDONE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static StepStatus parse(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown step status '" + wire + "'"));
  }
}

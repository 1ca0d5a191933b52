package dev.cadre.zone;

import dev.cadre.driver.DriverException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The steps that take back what a multi-step change did so far, run newest first when the change
 * fails. A step that fails itself is attached to the original failure and the rest still run: a
 * half-cleaned host is better than a half-made zone.
 */
final class Undo {
  interface Step {
    void run();
  }

  private final Deque<Step> steps = new ArrayDeque<>();

  void push(Step step) {
    steps.push(step);
  }

  void runAll(DriverException cause) {
    while (!steps.isEmpty()) {
      try {
        steps.pop().run();
      } catch (DriverException e) {
        cause.addSuppressed(e);
      }
    }
  }
}

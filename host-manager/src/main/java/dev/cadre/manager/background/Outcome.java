package dev.cadre.manager.background;

import java.time.Duration;

/**
 * How one task of a {@link Lane} ended, as data for the round that started it: with a value, with a
 * failure, abandoned past its time limit, or dropped because it waited in the queue too long.
 */
public sealed interface Outcome<T> {

  /** The task returned {@code value}. */
  record Done<T>(T value) implements Outcome<T> {}

  /** The task threw {@code error}. */
  record Failed<T>(Throwable error) implements Outcome<T> {}

  /**
   * The task ran past {@code limit}: it was interrupted, and whatever it answers later is dropped. Its key
   * stays busy until its thread really returns.
   */
  record TimedOut<T>(Duration limit) implements Outcome<T> {
    /** The limit as people write it: {@code 5s}, {@code 1.5s}, {@code 300ms}. */
    public String after() {
      return text(limit);
    }
  }

  /** The task waited in the queue past its limit (every thread of the lane was busy); it never ran. */
  record NotStarted<T>(Duration waited) implements Outcome<T> {}

  /** A duration as people write it: {@code 5s}, {@code 1.5s}, {@code 300ms}. */
  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
  }
}

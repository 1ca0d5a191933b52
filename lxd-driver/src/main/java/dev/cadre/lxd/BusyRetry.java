package dev.cadre.lxd;

import dev.cadre.driver.HostBusyException;
import java.time.Duration;

/**
 * Repeats work that LXD refused as busy (another operation still holds the instance, a mount is still
 * in use: a stop that timed out can keep running at the host for a moment) with a pause that doubles
 * up to {@code maxPause}, at most {@code attempts} times; then the last refusal is raised as
 * {@link HostBusyException} saying how long it tried.
 */
record BusyRetry(Duration firstPause, Duration maxPause, int attempts) {
  /** About 20 s of pauses: 0.1, 0.2, 0.4, 0.8, 1.6, then 2 s each. */
  static final BusyRetry DEFAULT = new BusyRetry(Duration.ofMillis(100), Duration.ofSeconds(2), 14);

  BusyRetry {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
  }

  void run(String host, String what, Runnable work) {
    long start = System.nanoTime();
    Duration pause = firstPause;
    for (int attempt = 1; ; attempt++) {
      try {
        work.run();
        return;
      } catch (HostBusyException busy) {
        if (attempt >= attempts) {
          long ms = (System.nanoTime() - start) / 1_000_000;
          throw new HostBusyException(host, what + " still refused as busy after " + attempt + " attempts in " + ms
              + " ms: " + withoutHost(host, busy.getMessage()), busy);
        }
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw busy;
        }
        pause = pause.multipliedBy(2).compareTo(maxPause) > 0 ? maxPause : pause.multipliedBy(2);
      }
    }
  }

  private static String withoutHost(String host, String message) {
    return message != null && message.startsWith(host + ": ") ? message.substring(host.length() + 2) : message;
  }
}

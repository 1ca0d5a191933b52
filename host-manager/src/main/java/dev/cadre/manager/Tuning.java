package dev.cadre.manager;

import java.time.Duration;

/**
 * Sizes and time limits of the control plane.
 *
 * @param provisionThreads members provisioned at once (across all operations)
 * @param hookTimeout how long one hook may run
 * @param addressTimeout how long a started member may take to hold its address
 * @param healthAttempts how many times {@code health} is asked before the member counts as failed
 * @param healthInterval the pause between two {@code health} attempts (and between retries of a hook that said "retry later")
 * @param probeInterval the pause between two rounds of each kind of background work: host probes, health
 *     checks of running members, upkeep (recovery of dead servers' operations, sweeps)
 * @param cpuOvercommit how many member CPUs one host CPU may carry (limits.cpu is a cap, not a reservation)
 * @param storePoolSize database connections
 * @param healthTimeout how long the {@code health} hook of a running member may run (the agent kills it then)
 * @param probeTimeout how long one probe of a host may take before the host counts as unreachable
 * @param watchInterval the pause between two looks at every redundant service's primary (failover watch)
 * @param failoverGrace how long a primary's {@code health} may fail before it counts as dead: its own
 *     supervision (systemd) gets this long to bring the process back; a stopped container or an
 *     unreachable host counts at once
 * @param retention how long events and finished operations are kept (pruned hourly in the background)
 */
public record Tuning(
    int provisionThreads,
    Duration hookTimeout,
    Duration addressTimeout,
    int healthAttempts,
    Duration healthInterval,
    Duration probeInterval,
    int cpuOvercommit,
    int storePoolSize,
    Duration healthTimeout,
    Duration probeTimeout,
    Duration watchInterval,
    Duration failoverGrace,
    Duration retention) {

  /** The retention of {@link dev.cadre.manager.operations.Retention#DEFAULT}. */
  public Tuning(int provisionThreads, Duration hookTimeout, Duration addressTimeout, int healthAttempts,
      Duration healthInterval, Duration probeInterval, int cpuOvercommit, int storePoolSize, Duration healthTimeout,
      Duration probeTimeout, Duration watchInterval, Duration failoverGrace) {
    this(provisionThreads, hookTimeout, addressTimeout, healthAttempts, healthInterval, probeInterval, cpuOvercommit,
        storePoolSize, healthTimeout, probeTimeout, watchInterval, failoverGrace,
        dev.cadre.manager.operations.Retention.DEFAULT);
  }

  public Tuning withRetention(Duration keep) {
    return new Tuning(provisionThreads, hookTimeout, addressTimeout, healthAttempts, healthInterval, probeInterval,
        cpuOvercommit, storePoolSize, healthTimeout, probeTimeout, watchInterval, failoverGrace, keep);
  }

  public Tuning(int provisionThreads, Duration hookTimeout, Duration addressTimeout, int healthAttempts,
      Duration healthInterval, Duration probeInterval, int cpuOvercommit, int storePoolSize, Duration healthTimeout,
      Duration probeTimeout) {
    this(provisionThreads, hookTimeout, addressTimeout, healthAttempts, healthInterval, probeInterval, cpuOvercommit,
        storePoolSize, healthTimeout, probeTimeout, Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  /** Provisioning parallelism from {@code CADRE_PROVISION_PARALLELISM} (default 8), the rest fixed. */
  public static Tuning defaults() {
    return new Tuning(parallelism(System.getenv("CADRE_PROVISION_PARALLELISM")), Duration.ofMinutes(2), Duration.ofSeconds(60), 30, Duration.ofSeconds(1),
        Duration.ofSeconds(15), 32, 24, Duration.ofSeconds(30), Duration.ofSeconds(10));
  }

  static int parallelism(String value) {
    if (value == null || value.isBlank()) {
      return 8;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1 && n <= 256) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("CADRE_PROVISION_PARALLELISM must be a number from 1 to 256, got '" + value + "'");
  }

  public Tuning {
    if (provisionThreads < 1 || healthAttempts < 1 || cpuOvercommit < 1 || storePoolSize < 2) {
      throw new IllegalArgumentException("tuning values must be positive");
    }
    for (Duration d : new Duration[] {healthTimeout, probeTimeout, watchInterval, failoverGrace, retention}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("health and probe timeouts, the watch interval, the failover grace and the"
            + " retention must be positive");
      }
    }
  }
}

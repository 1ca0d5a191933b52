package dev.cadre.zone;

import java.time.Duration;
import java.util.List;

/**
 * Runs one program on a host: the zone driver's whole transport. Commands are argument vectors; an
 * implementation that has to pass through a shell (ssh) quotes each argument itself, so no caller
 * ever builds a shell string out of user data.
 *
 * <p>A non-zero exit is a result, not an exception: only the caller knows what an exit means. An
 * implementation throws {@link dev.cadre.driver.UnavailableException} when it cannot reach the host
 * or the command outlives {@code timeout}, and {@link dev.cadre.driver.HostFailureException} when the
 * program cannot be started at all; both name {@link #host()}.
 */
public interface CommandRunner extends AutoCloseable {

  /** The host name every exception from this runner carries. */
  String host();

  /**
   * What a host tool's output may take: far more than {@code zfs list} or {@code zoneadm list} print on
   * a large host, far less than would hurt the plane.
   */
  int OUTPUT_LIMIT = 16 * 1024 * 1024;

  /**
   * Runs {@code argv} with {@code stdin} (null for none) and waits at most {@code timeout} for it to
   * finish (killing it then), collecting stdout and stderr separately, at most {@code outputLimit}
   * bytes of each. Past the limit the rest is read to its end and dropped, or, with
   * {@code stopAtLimit}, the command is killed and its result returned at once.
   */
  CommandResult run(List<String> argv, byte[] stdin, Duration timeout, int outputLimit, boolean stopAtLimit);

  /** Draining past the limit. */
  default CommandResult run(List<String> argv, byte[] stdin, Duration timeout, int outputLimit) {
    return run(argv, stdin, timeout, outputLimit, false);
  }

  /** With {@link #OUTPUT_LIMIT}, draining past it. */
  default CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
    return run(argv, stdin, timeout, OUTPUT_LIMIT, false);
  }

  @Override
  default void close() {}
}

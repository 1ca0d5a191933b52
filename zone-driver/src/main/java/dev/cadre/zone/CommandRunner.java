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
   * Runs {@code argv} with {@code stdin} (null for none) and waits at most {@code timeout} for it to
   * finish, collecting stdout and stderr separately.
   */
  CommandResult run(List<String> argv, byte[] stdin, Duration timeout);

  @Override
  default void close() {}
}

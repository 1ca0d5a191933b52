package dev.cadre.zone;

import java.time.Duration;
import java.util.List;

/** Runs commands on this machine: for cadre running in the global zone of the host it manages. */
public final class LocalCommandRunner implements CommandRunner {
  private final String host;

  public LocalCommandRunner(String host) {
    this.host = host;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
    return Processes.run(host, List.copyOf(argv), stdin, timeout);
  }
}

package dev.cadre.zone;

import java.util.List;

/** Runs commands on this machine: for cadre running in the global zone of the host it manages. */
public final class LocalCommandRunner implements ProcessRunner {
  private final String host;

  public LocalCommandRunner(String host) {
    this.host = host;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public List<String> localArgv(List<String> argv) {
    return List.copyOf(argv);
  }

  @Override
  public CommandResult interpret(CommandResult local) {
    return local;
  }
}

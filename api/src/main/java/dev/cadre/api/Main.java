package dev.cadre.api;

import dev.cadre.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cadre}: the server ({@code serve}) and the command line in one executable jar. */
@Command(name = "cadre", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "cadre: a control plane for system containers (LXD hosts, illumos zones).",
    subcommands = {ServeCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return Cli.install(new CommandLine(new Main()));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cadre " + (v == null ? "dev" : v)};
    }
  }
}

package dev.cadre.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The CLI alone (the server jar's {@code cadre} has the same commands plus {@code serve}). */
@Command(name = "cadre", mixinStandardHelpOptions = true, description = "cadre command line")
public final class CliMain {
  public static void main(String[] args) {
    System.exit(Cli.install(new CommandLine(new CliMain())).execute(args));
  }
}

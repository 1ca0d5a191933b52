package dev.cadre.cli;

import java.util.List;
import picocli.CommandLine;

/** Installs the CLI's commands and its error handling on a top command (the server's {@code cadre}, or {@link CliMain}). */
public final class Cli {
  private Cli() {}

  public static List<Object> commands() {
    return List.of(new HostsCommand(), new TemplatesCommand(), new AppsCommand(), new OpsCommand(),
        new ServicesCommand(), new MembersCommand(), new EventsCommand(), new StatusCommand(), new TokensCommand());
  }

  /** {@code --help} on every command, however deep. */
  private static void withHelp(CommandLine command) {
    if (command.getCommandSpec().optionsMap().get("--help") == null) {
      command.getCommandSpec().mixinStandardHelpOptions(true);
    }
    command.getSubcommands().values().forEach(Cli::withHelp);
  }

  public static CommandLine install(CommandLine top) {
    for (Object command : commands()) {
      top.addSubcommand(command);
    }
    top.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CliException cli) {
        commandLine.getErr().println("cadre: " + cli.getMessage());
        commandLine.getErr().flush();
        return cli.exitCode();
      }
      commandLine.getErr().println("cadre: unexpected error: " + e);
      commandLine.getErr().flush();
      return ExitCodes.FAILED;
    });
    top.getCommandSpec().usageMessage().footer(ExitCodes.HELP);
    withHelp(top);
    return top;
  }
}

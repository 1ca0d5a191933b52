package dev.cadre.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cadre members promote APP SERVICE MEMBER}: the same as {@code cadre apps promote}. */
@Command(name = "members", description = "Members of a service: promote one to primary.",
    subcommands = {AppsCommand.Promote.class})
public class MembersCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(Output.out(spec));
    return ExitCodes.USAGE;
  }
}

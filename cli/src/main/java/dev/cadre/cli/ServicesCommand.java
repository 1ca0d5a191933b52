package dev.cadre.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cadre services convert APP SERVICE --topology T} (the same as {@code cadre apps convert}), and a
 * service's backups: {@code backup}, {@code backups}, {@code restore}.
 */
@Command(name = "services", description = "Services of an app: convert between topologies; back up and restore.",
    subcommands = {AppsCommand.Convert.class, BackupCommands.Backup.class, BackupCommands.Ls.class,
        BackupCommands.Restore.class})
public class ServicesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(Output.out(spec));
    return ExitCodes.USAGE;
  }
}

package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ops", description = "Operations: show, wait, cancel.",
    subcommands = {OpsCommand.Show.class, OpsCommand.Wait.class, OpsCommand.Cancel.class})
public class OpsCommand {

  static void print(CommandSpec spec, Connection connection, JsonNode op) {
    if (connection.json()) {
      Output.json(spec, op);
      return;
    }
    var out = Output.out(spec);
    out.println("operation " + Output.text(op, "id") + " " + Output.text(op, "kind") + " " + Output.text(op, "target")
        + ": " + Output.text(op, "status") + " (" + op.path("progress").asInt() + "%)");
    // the token that asked for it; none for what cadre starts itself (a failover, a member rejoining)
    String actor = Output.text(op, "actor");
    out.println("started by " + (actor.isEmpty() ? "cadre itself" : actor));
    if (!Output.text(op, "error").isEmpty()) {
      out.println("error: " + Output.text(op, "error"));
    }
    Table t = new Table("STEP", "STATUS", "AT", "DETAIL");
    for (JsonNode s : op.path("steps")) {
      t.row(Output.text(s, "name"), Output.text(s, "status"), Output.text(s, "at"), Output.text(s, "detail"));
    }
    if (t.size() > 0) {
      t.print(out);
    }
    out.flush();
  }

  @Command(name = "show", description = "Show an operation and its steps.")
  static class Show implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "ID", description = "the id or /v1/operations/ID") String id;

    @Override
    public Integer call() {
      print(spec, connection, connection.client().get(CadreClient.operationPath(id)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "wait", description = "Wait for an operation; exit non-zero unless it succeeded.")
  static class Wait implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--timeout", defaultValue = "600", description = "seconds (default ${DEFAULT-VALUE})") long timeout;

    @Override
    public Integer call() {
      JsonNode op = connection.client().await(id, Duration.ofSeconds(timeout));
      print(spec, connection, op);
      if (!CadreClient.done(op)) {
        throw new CliException(ExitCodes.TIMEOUT, "operation " + op.path("id").asText() + " is still " + op.path("status").asText());
      }
      if (!op.path("status").asText().equals("success")) {
        throw new CliException(ExitCodes.FAILED, "operation " + op.path("id").asText() + " ended in " + op.path("status").asText()
            + (op.path("error").isNull() ? "" : ": " + op.path("error").asText()));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "cancel", description = "Cancel an operation.")
  static class Cancel implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() {
      print(spec, connection, connection.client().delete(CadreClient.operationPath(id)));
      return ExitCodes.OK;
    }
  }
}

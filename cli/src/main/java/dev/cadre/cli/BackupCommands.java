package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cadre services backup|backups|restore}: a service's data through its template's export and import hooks. */
final class BackupCommands {
  private BackupCommands() {}

  static String servicePath(String app, String service) {
    return "/v1/apps/" + Names.path(app, "app") + "/services/" + Names.path(service, "service");
  }

  @Command(name = "backup", description = "Back up a service's data (an archive in the server's backup directory).")
  static class Backup implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "APP") String app;
    @Parameters(index = "1", paramLabel = "SERVICE") String service;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      JsonNode op = Output.accepted(spec, connection, client,
          client.post(servicePath(app, service) + "/backup", CadreClient.JSON.createObjectNode()), waiting);
      JsonNode metadata = op.has("metadata") ? op.path("metadata") : op;
      String target = Output.text(metadata, "target");
      int at = target.lastIndexOf("/backups/");
      if (at >= 0 && !connection.json()) {
        Output.out(spec).println("backup " + target.substring(at + "/backups/".length()));
        Output.out(spec).flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "backups", description = "List a service's backups (also after its app was deleted).")
  static class Ls implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "APP") String app;
    @Parameters(index = "1", paramLabel = "SERVICE") String service;

    @Override
    public Integer call() {
      JsonNode backups = connection.client().getAll(servicePath(app, service) + "/backups");
      if (connection.json()) {
        Output.json(spec, backups);
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "CREATED", "TEMPLATE", "SIZE", "SHA256");
      for (JsonNode b : backups) {
        t.row(Output.text(b, "id"), Output.text(b, "created"), Output.text(b, "template"),
            Table.bytes(b.path("bytes").asLong()), Output.text(b, "sha256"));
      }
      t.print(Output.out(spec));
      return ExitCodes.OK;
    }
  }

  @Command(name = "restore", description = "Restore a backup into a new app with one service.")
  static class Restore implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "APP") String app;
    @Parameters(index = "1", paramLabel = "SERVICE") String service;
    @Parameters(index = "2", paramLabel = "ID") String id;
    @Option(names = "--to-app", required = true, description = "the new app (must not exist)") String toApp;
    @Option(names = "--service", description = "its service (default: SERVICE)") String toService;
    @Option(names = "--datacenter", required = true) String datacenter;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      var body = CadreClient.JSON.createObjectNode().put("app", toApp)
          .put("service", toService == null ? service : toService).put("datacenter", datacenter);
      Output.accepted(spec, connection, client,
          client.post(servicePath(app, service) + "/backups/" + Names.path(id, "backup") + "/restore", body), waiting);
      return ExitCodes.OK;
    }
  }
}

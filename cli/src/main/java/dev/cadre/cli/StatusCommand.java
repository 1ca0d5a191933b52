package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status", description = "Server version, store, counts, and the hosts; with APP: its services"
    + " (service address), members with role and health.")
public class StatusCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;
  @Parameters(paramLabel = "APP", arity = "0..1", description = "an app to show") String app;

  @Override
  public Integer call() {
    CadreClient client = connection.client();
    if (app != null) {
      JsonNode view = client.get("/v1/apps/" + Names.path(app, "app"));
      if (connection.json()) {
        Output.json(spec, view);
      } else {
        AppsCommand.Show.print(spec, view, false);
      }
      return ExitCodes.OK;
    }
    JsonNode info = client.get("/v1");
    if (connection.json()) {
      Output.json(spec, info);
      return ExitCodes.OK;
    }
    JsonNode c = info.path("counts");
    var out = Output.out(spec);
    out.println("cadre " + Output.text(info, "version") + " at " + connection.url() + ", store " + Output.text(info, "store"));
    out.println(c.path("datacenters").asInt() + " datacenters, " + c.path("hosts").asInt() + " hosts, "
        + c.path("apps").asInt() + " apps, " + c.path("members").asInt() + " members, "
        + c.path("operations_running").asInt() + " operations running");
    JsonNode hosts = client.getAll("/v1/hosts");
    if (hosts.size() > 0) {
      HostsCommand.table(spec, hosts);
    }
    out.flush();
    return ExitCodes.OK;
  }
}

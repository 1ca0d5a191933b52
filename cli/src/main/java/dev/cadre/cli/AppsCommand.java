package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "apps", description = "Apps: list (default), show, create, rm, convert, promote, move.",
    subcommands = {AppsCommand.Ls.class, AppsCommand.Show.class, AppsCommand.Create.class, AppsCommand.Rm.class,
        AppsCommand.Convert.class, AppsCommand.Promote.class, AppsCommand.Move.class})
public class AppsCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Ls.list(spec, connection);
  }

  @Command(name = "ls", description = "List apps.")
  static class Ls implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return list(spec, connection);
    }

    static int list(CommandSpec spec, Connection connection) {
      JsonNode apps = connection.client().getAll("/v1/apps");
      if (connection.json()) {
        Output.json(spec, apps);
        return ExitCodes.OK;
      }
      Table t = new Table("NAME", "DATACENTER", "STATE", "SERVICES", "MEMBERS", "CREATED");
      for (JsonNode app : apps) {
        List<String> services = new ArrayList<>();
        int members = 0;
        for (JsonNode s : app.path("services")) {
          services.add(Output.text(s, "name") + "(" + Output.text(s, "template") + ")");
          members += s.path("members").size();
        }
        t.row(Output.text(app, "name"), Output.text(app, "datacenter"), Output.text(app, "state"),
            String.join(",", services), members, Output.text(app, "created"));
      }
      t.print(Output.out(spec));
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", description = "Show an app: its services and members (role, host, ip, state).")
  static class Show implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--secrets", description = "also fetch and print what cadre generated for each service (passwords; needs an admin or"
        + " operator token, and is audited)") boolean secrets;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      JsonNode app = client.get("/v1/apps/" + Names.path(name, "app"));
      if (secrets) {
        // the app read carries no secrets: each service's come from their own (audited) endpoint
        for (JsonNode s : app.path("services")) {
          JsonNode answer = client.get("/v1/apps/" + Names.path(name, "app") + "/services/"
              + Names.path(Output.text(s, "name"), "service") + "/secrets");
          ((com.fasterxml.jackson.databind.node.ObjectNode) s).set("secrets", answer.path("secrets"));
        }
      }
      if (connection.json()) {
        Output.json(spec, app);
      } else {
        print(spec, app, secrets);
      }
      return ExitCodes.OK;
    }

    static void print(CommandSpec spec, JsonNode app, boolean secrets) {
      var out = Output.out(spec);
      out.println("app " + Output.text(app, "name") + " in " + Output.text(app, "datacenter") + ": "
          + Output.text(app, "state"));
      for (JsonNode s : app.path("services")) {
        if (!s.path("address").isMissingNode() && !s.path("address").isNull()) {
          String state = Output.text(s, "state");
          out.println("service " + Output.text(s, "name") + " (" + Output.text(s, "template") + ", "
              + Output.text(s, "topology") + "): address " + Output.text(s, "address") + " reaches the primary"
              + ("ready".equals(state) || state.isEmpty() ? "" : "; " + state + " (operation " + Output.text(s, "operation") + ")"));
        }
      }
      Table t = new Table("SERVICE", "TEMPLATE", "TOPOLOGY", "MEMBER", "ROLE", "HOST", "IP", "STATE", "HEALTH", "ERROR");
      for (JsonNode s : app.path("services")) {
        for (JsonNode m : s.path("members")) {
          t.row(Output.text(s, "name"), Output.text(s, "template"), Output.text(s, "topology"), Output.text(m, "name"),
              Output.text(m, "role"), Output.text(m, "host"), Output.text(m, "ip"), Output.text(m, "state"),
              Output.text(m, "health"), Output.text(m, "error"));
        }
        if (s.path("members").isEmpty()) {
          t.row(Output.text(s, "name"), Output.text(s, "template"), Output.text(s, "topology"), "", "", "", "", "", "", "");
        }
      }
      t.print(out);
      if (secrets) {
        for (JsonNode s : app.path("services")) {
          s.path("secrets").fields().forEachRemaining(e ->
              out.println("secret " + Output.text(s, "name") + "." + e.getKey() + "=" + e.getValue().asText()));
        }
      }
      out.flush();
    }
  }

  @Command(name = "create", description = "Create an app from templates.")
  static class Create implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME", arity = "0..1", description = "app name (or give it in -f)") String name;
    @Option(names = "--datacenter") String datacenter;
    @Option(names = "--service", paramLabel = "name=template[:count][:topology]",
        description = "a service, repeatable (e.g. --service web=busybox:2 --service db=redis:1:single)") List<String> services;
    @Option(names = "--config", paramLabel = "svc.key=value", description = "service config, repeatable") List<String> config;
    @Option(names = "--depends", paramLabel = "svc=other[,other]",
        description = "svc's hooks get the other services' addresses and secrets, repeatable (e.g. --depends web=db)")
    List<String> depends;
    @Option(names = {"-f", "--file"}, paramLabel = "app.json", description = "the whole request as JSON (see POST /v1/apps)") Path file;
    @Option(names = "--keep-failed", description = "leave the containers of failed members for inspection") boolean keepFailed;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      ObjectNode body = file != null ? fromFile() : fromOptions();
      CadreClient client = connection.client();
      JsonNode answer = client.post("/v1/apps", body);
      String path = "/v1/apps/" + Names.path(body.path("name").asText(), "app");
      try {
        Output.accepted(spec, connection, client, answer, waiting);
      } catch (CliException failed) {
        // show which members failed and why before exiting non-zero
        if (failed.exitCode() == ExitCodes.FAILED && !connection.json()) {
          try {
            Show.print(spec, client.get(path), false);
          } catch (CliException gone) {
            // rolled back entirely: nothing to show
          }
        }
        throw failed;
      }
      if (waiting.wait && !connection.json()) {
        Show.print(spec, client.get(path), false);
      }
      return ExitCodes.OK;
    }

    private ObjectNode fromFile() {
      if (services != null || config != null || datacenter != null || depends != null) {
        throw new CliException(ExitCodes.USAGE, "give either -f or --datacenter/--service/--config, not both");
      }
      JsonNode node;
      try {
        node = CadreClient.JSON.readTree(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new CliException(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
      }
      if (!node.isObject()) {
        throw new CliException(ExitCodes.USAGE, file + " must hold a JSON object");
      }
      ObjectNode body = (ObjectNode) node;
      if (name != null) {
        body.put("name", name);
      }
      if (keepFailed) {
        body.put("keep_failed", true);
      }
      return body;
    }

    private ObjectNode fromOptions() {
      if (name == null || datacenter == null || services == null || services.isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "apps create needs NAME, --datacenter and at least one --service (or -f app.json)");
      }
      Map<String, ObjectNode> byName = new LinkedHashMap<>();
      for (String s : services) {
        ObjectNode svc = parseService(s);
        if (byName.put(svc.path("name").asText(), svc) != null) {
          throw new CliException(ExitCodes.USAGE, "service '" + svc.path("name").asText() + "' is given twice");
        }
      }
      for (String d : depends == null ? List.<String>of() : depends) {
        int eq = d.indexOf('=');
        ObjectNode svc = eq < 0 ? null : byName.get(d.substring(0, eq));
        if (svc == null) {
          throw new CliException(ExitCodes.USAGE, "--depends must be svc=other[,other] naming a --service, got '" + d + "'");
        }
        ArrayNode list = svc.has("depends_on") ? (ArrayNode) svc.get("depends_on") : svc.putArray("depends_on");
        for (String other : d.substring(eq + 1).split(",")) {
          list.add(other.strip());
        }
      }
      for (String c : config == null ? List.<String>of() : config) {
        int eq = c.indexOf('=');
        int dot = c.indexOf('.');
        if (eq < 0 || dot < 0 || dot > eq) {
          throw new CliException(ExitCodes.USAGE, "--config must be svc.key=value, got '" + c + "'");
        }
        ObjectNode svc = byName.get(c.substring(0, dot));
        if (svc == null) {
          throw new CliException(ExitCodes.USAGE, "--config names service '" + c.substring(0, dot) + "' which no --service gives");
        }
        ObjectNode cfg = svc.has("config") ? (ObjectNode) svc.get("config") : svc.putObject("config");
        cfg.put(c.substring(dot + 1, eq), c.substring(eq + 1));
      }
      ObjectNode body = CadreClient.JSON.createObjectNode().put("name", name).put("datacenter", datacenter);
      ArrayNode list = body.putArray("services");
      byName.values().forEach(list::add);
      if (keepFailed) {
        body.put("keep_failed", true);
      }
      return body;
    }

    /** {@code name=template[:count][:topology]}; the count may be left out ({@code db=redis::redundant}). */
    static ObjectNode parseService(String spec) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new CliException(ExitCodes.USAGE, "--service must be name=template[:count][:topology], got '" + spec + "'");
      }
      String[] parts = spec.substring(eq + 1).split(":", -1);
      if (parts.length > 3 || parts[0].isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "--service must be name=template[:count][:topology], got '" + spec + "'");
      }
      ObjectNode svc = CadreClient.JSON.createObjectNode().put("name", spec.substring(0, eq)).put("template", parts[0]);
      if (parts.length > 1 && !parts[1].isEmpty()) {
        try {
          svc.put("count", Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
          throw new CliException(ExitCodes.USAGE, "count in --service '" + spec + "' is not a number");
        }
      }
      if (parts.length > 2 && !parts[2].isEmpty()) {
        svc.put("topology", parts[2]);
      }
      return svc;
    }
  }

  @Command(name = "rm", description = "Delete an app: every member and every address.")
  static class Rm implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client, client.delete("/v1/apps/" + Names.path(name, "app")), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "convert", description = "Convert a service to another topology (single or redundant), data intact.")
  static class Convert implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "APP") String app;
    @Parameters(index = "1", paramLabel = "SERVICE") String service;
    @Option(names = "--topology", required = true, description = "single or redundant") String topology;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      String path = "/v1/apps/" + Names.path(app, "app") + "/services/" + Names.path(service, "service") + "/convert";
      Output.accepted(spec, connection, client, client.post(path, CadreClient.JSON.createObjectNode().put("topology", topology)),
          waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "promote", description = "Make a member the primary of its service.")
  static class Promote implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "APP") String app;
    @Parameters(index = "1", paramLabel = "SERVICE") String service;
    @Parameters(index = "2", paramLabel = "MEMBER") String member;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      String path = "/v1/apps/" + Names.path(app, "app") + "/services/" + Names.path(service, "service")
          + "/members/" + Names.path(member, "member") + "/promote";
      Output.accepted(spec, connection, client, client.post(path, CadreClient.JSON.createObjectNode()), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "move", description = "Move an app to another datacenter; --dry-run prints the plan.")
  static class Move implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "APP") String app;
    @Option(names = "--datacenter", required = true) String datacenter;
    @Option(names = "--dry-run", description = "answer the plan at once, change nothing") boolean dryRun;
    @Option(names = "--method", description = "copy (the default: every container copied, a short pause) or "
        + "replicate (services with replicas get replicas at the target, then a switchover) or hooks (new members at "
        + "the target, the data through the template's export and import hooks)") String method;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      com.fasterxml.jackson.databind.node.ObjectNode body = CadreClient.JSON.createObjectNode().put("datacenter", datacenter);
      if (dryRun) {
        body.put("dry_run", true);
      }
      if (method != null) {
        body.put("method", method);
      }
      JsonNode answer = client.post("/v1/apps/" + Names.path(app, "app") + "/move", body);
      if (dryRun) {
        printPlan(answer);
        return ExitCodes.OK;
      }
      Output.accepted(spec, connection, client, answer, waiting);
      return ExitCodes.OK;
    }

    private void printPlan(JsonNode plan) {
      if (connection.json()) {
        Output.json(spec, plan);
        return;
      }
      java.io.PrintWriter out = Output.out(spec);
      out.printf("move %s: %s -> %s, method %s, %s of data, expected pause about %.1f s%n", Output.text(plan, "app"),
          Output.text(plan, "from"), Output.text(plan, "to"), Output.text(plan, "method"),
          bytes(plan.path("data_bytes").asLong()), plan.path("expected_downtime_ms").asLong() / 1000.0);
      Table t = new Table("MEMBER", "SERVICE", "ROLE", "FROM", "TO", "DATA");
      for (JsonNode m : plan.path("members")) {
        t.row(Output.text(m, "name"), Output.text(m, "service"), Output.text(m, "role"),
            Output.text(m, "from_host") + " " + Output.text(m, "from_ip"), Output.text(m, "to_host") + " "
            + Output.text(m, "to_ip"), bytes(m.path("data_bytes").asLong()));
      }
      t.print(out);
      for (JsonNode s : plan.path("services")) {
        out.printf("service %s: address %s -> %s%n", Output.text(s, "name"), Output.text(s, "from_address"),
            Output.text(s, "to_address"));
      }
      out.flush();
    }

    private static String bytes(long n) {
      if (n < 0) {
        return "unknown";
      }
      return n < 1024 * 1024 ? (n / 1024) + " KiB" : String.format("%.1f MiB", n / 1048576.0);
    }
  }
}

package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** API tokens (admin only): list (default), create, revoke, rotate-admin. */
@Command(name = "tokens", description = "API tokens with roles: list (default), create, revoke, rotate-admin.",
    subcommands = {TokensCommand.Ls.class, TokensCommand.Create.class, TokensCommand.Revoke.class,
        TokensCommand.RotateAdmin.class})
public class TokensCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Ls.list(spec, connection);
  }

  @Command(name = "list", aliases = "ls", description = "List tokens (never the tokens themselves).")
  static class Ls implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return list(spec, connection);
    }

    static int list(CommandSpec spec, Connection connection) {
      JsonNode tokens = connection.client().get("/v1/tokens");
      if (connection.json()) {
        Output.json(spec, tokens);
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "NAME", "ROLE", "APPS", "EXPIRES", "CREATED");
      for (JsonNode k : tokens) {
        t.row(Output.text(k, "id"), Output.text(k, "name"), Output.text(k, "role"), apps(k),
            k.path("expires").isNull() ? "never" : Output.text(k, "expires"), Output.text(k, "created"));
      }
      t.print(Output.out(spec));
      return ExitCodes.OK;
    }

    static String apps(JsonNode token) {
      if (!token.path("apps").isArray()) {
        return "all";
      }
      StringBuilder out = new StringBuilder();
      token.path("apps").forEach(a -> out.append(out.length() == 0 ? "" : ",").append(a.asText()));
      return out.toString();
    }
  }

  @Command(name = "create", description = "Create a token; it is printed once and kept nowhere else.")
  static class Create implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--role", required = true, description = "admin, operator, viewer or metrics") String role;
    @Option(names = "--apps", paramLabel = "APP,APP", split = ",",
        description = "only these apps (operator and viewer tokens)") String[] apps;
    @Option(names = "--expires", paramLabel = "INSTANT", description = "ISO-8601, e.g. 2030-01-31T12:00:00Z")
    String expires;

    @Override
    public Integer call() {
      ObjectNode body = CadreClient.JSON.createObjectNode().put("name", name).put("role", role);
      if (apps != null) {
        Arrays.stream(apps).forEach(body.putArray("apps")::add);
      }
      if (expires != null) {
        body.put("expires", expires);
      }
      JsonNode created = connection.client().post("/v1/tokens", body);
      if (connection.json()) {
        Output.json(spec, created);
      } else {
        var out = Output.out(spec);
        out.println("token " + Output.text(created, "name") + " (" + Output.text(created, "id") + ", role "
            + Output.text(created, "role") + ", apps " + Ls.apps(created) + "); it is shown only now:");
        out.println(Output.text(created, "token"));
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", description = "Revoke a token: refused from its very next request on.")
  static class Revoke implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() {
      if (!id.matches("tk-[0-9a-f]{20}")) {
        throw new CliException(ExitCodes.USAGE, "a token id is 'tk-' and 20 hex digits (see cadre tokens list)");
      }
      JsonNode revoked = connection.client().delete("/v1/tokens/" + id);
      if (connection.json()) {
        Output.json(spec, revoked);
      } else {
        Output.out(spec).println("revoked token " + Output.text(revoked, "name") + " (" + id + ")");
        Output.out(spec).flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "rotate-admin", description = "Replace the bootstrap admin token (the server writes the new one"
      + " to its admin-token file; the old one stops working).")
  static class RotateAdmin implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode rotated = connection.client().post("/v1/tokens/rotate-admin", CadreClient.JSON.createObjectNode());
      if (connection.json()) {
        Output.json(spec, rotated);
      } else {
        var out = Output.out(spec);
        out.println("new admin token written to " + Output.text(rotated, "file") + " on the server:");
        out.println(Output.text(rotated, "token"));
        out.flush();
      }
      return ExitCodes.OK;
    }
  }
}

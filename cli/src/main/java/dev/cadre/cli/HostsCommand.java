package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "hosts", description = "Hosts: list (default), show, add, rm, drain, resume, trust.",
    subcommands = {HostsCommand.Ls.class, HostsCommand.Show.class, HostsCommand.Add.class,
        HostsCommand.Rm.class, HostsCommand.Drain.class, HostsCommand.Resume.class, HostsCommand.Trust.class})
public class HostsCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Ls.list(spec, connection);
  }

  static void table(CommandSpec spec, JsonNode hosts) {
    Table t = new Table("NAME", "DATACENTER", "DRIVER", "STATE", "CPUS", "MEMORY", "USED", "MEMBERS", "ENDPOINT");
    for (JsonNode h : hosts) {
      t.row(Output.text(h, "name"), Output.text(h, "datacenter"), Output.text(h, "driver"), Output.text(h, "state"),
          h.path("cpus").asInt(), Table.bytes(h.path("memory_bytes").asLong()), Table.bytes(h.path("memory_used_bytes").asLong()),
          h.path("members").asInt(), Output.text(h, "endpoint"));
    }
    t.print(Output.out(spec));
  }

  @Command(name = "ls", description = "List hosts.")
  static class Ls implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return list(spec, connection);
    }

    static int list(CommandSpec spec, Connection connection) {
      JsonNode hosts = connection.client().getAll("/v1/hosts");
      if (connection.json()) {
        Output.json(spec, hosts);
      } else {
        table(spec, hosts);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", description = "Show one host.")
  static class Show implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      JsonNode host = connection.client().get("/v1/hosts/" + Names.path(name, "host"));
      if (connection.json()) {
        Output.json(spec, host);
        return ExitCodes.OK;
      }
      Table t = new Table("FIELD", "VALUE");
      host.fields().forEachRemaining(e -> t.row(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
      t.print(Output.out(spec));
      return ExitCodes.OK;
    }
  }

  @Command(name = "add", description = "Register a host.")
  static class Add implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--driver", required = true, description = "lxd or zone") String driver;
    @Option(names = "--endpoint", required = true, description = "e.g. unix:///var/lib/lxd/unix.socket or https://10.90.0.2:8443") String endpoint;
    @Option(names = "--datacenter", required = true) String datacenter;
    @Option(names = "--network", required = true, description = "the host's managed bridge (LXD) or physical link (zones)") String network;
    @Option(names = "--trust", description = "trust password or token for first contact (never stored)") String trust;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      ObjectNode body = CadreClient.JSON.createObjectNode()
          .put("name", name).put("driver", driver).put("endpoint", endpoint)
          .put("datacenter", datacenter).put("network", network);
      if (trust != null) {
        body.put("trust", trust);
      }
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client, client.post("/v1/hosts", body), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "rm", description = "Remove a host (refused while members remain).")
  static class Rm implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client, client.delete("/v1/hosts/" + Names.path(name, "host")), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "drain", description = "Move every member off the host (same datacenter).")
  static class Drain implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client,
          client.post("/v1/hosts/" + Names.path(name, "host") + "/drain", CadreClient.JSON.createObjectNode()), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "resume", description = "A draining or drained host takes new members again"
      + " (refused while a drain of it runs: cancel that first).")
  static class Resume implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client,
          client.post("/v1/hosts/" + Names.path(name, "host") + "/resume", CadreClient.JSON.createObjectNode()), waiting);
      return ExitCodes.OK;
    }
  }

  @Command(name = "trust", description = "Pin the certificate an HTTPS host presents now in place of the one pinned"
      + " before (an untrusted host becomes ready). Check the fingerprint on the host first (lxc info).")
  static class Trust implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--sha256", required = true, description = "SHA-256 fingerprint of the host's certificate") String fingerprint;
    @Option(names = "--trust", description = "trust password or token, if the server does not know cadre's certificate") String trust;
    @Mixin Waiting waiting;

    @Override
    public Integer call() {
      ObjectNode body = CadreClient.JSON.createObjectNode().put("fingerprint", fingerprint);
      if (trust != null) {
        body.put("trust", trust);
      }
      CadreClient client = connection.client();
      Output.accepted(spec, connection, client, client.post("/v1/hosts/" + Names.path(name, "host") + "/trust", body),
          waiting);
      return ExitCodes.OK;
    }
  }
}

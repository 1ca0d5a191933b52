package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "events", description = "Follow events (operations, members, hosts, health) until interrupted.")
public class EventsCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;
  @Option(names = "--count", paramLabel = "N", description = "stop after N events") Integer count;

  @Override
  public Integer call() {
    var out = Output.out(spec);
    AtomicInteger seen = new AtomicInteger();
    connection.client().stream("/v1/events", event -> {
      if (connection.json()) {
        out.println(event.data());
      } else {
        out.println(line(event));
      }
      out.flush();
      return count == null || seen.incrementAndGet() < count;
    });
    return ExitCodes.OK;
  }

  static String line(CadreClient.Event event) {
    try {
      JsonNode e = CadreClient.JSON.readTree(event.data());
      return String.join("  ", Output.text(e, "at"), event.type(), Output.text(e, "subject"), e.path("data").toString());
    } catch (IOException ex) {
      return event.type() + "  " + event.data();
    }
  }
}

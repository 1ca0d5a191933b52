package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "templates", description = "List templates with their topologies and behaviors.")
public class TemplatesCommand implements Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    JsonNode templates = connection.client().get("/v1/templates");
    if (connection.json()) {
      Output.json(spec, templates);
      return ExitCodes.OK;
    }
    Table t = new Table("NAME", "TOPOLOGIES", "BEHAVIORS", "DESCRIPTION");
    for (JsonNode tpl : templates) {
      t.row(Output.text(tpl, "name"), list(tpl.path("plan").path("topologies")), list(tpl.path("plan").path("behaviors")),
          Output.text(tpl, "description"));
    }
    t.print(Output.out(spec));
    return ExitCodes.OK;
  }

  /** A plan lists topologies either as an array of names or as an object keyed by name. */
  static String list(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> names.add(n.isTextual() ? n.asText() : n.path("name").asText()));
    } else if (node.isObject()) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return String.join(",", names);
  }
}

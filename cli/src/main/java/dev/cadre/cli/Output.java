package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** What every command shares: where to print, JSON or tables, following operations. */
final class Output {
  private Output() {}

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static void json(CommandSpec spec, JsonNode node) {
    try {
      PrintWriter out = out(spec);
      out.println(CadreClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
      out.flush();
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage(), e);
    }
  }

  /**
   * Prints an accepted operation; with {@code wait}, follows it and fails (exit 1 with its error) unless
   * it succeeded. Answers the final operation (or the accepted answer without wait).
   */
  static JsonNode accepted(CommandSpec spec, Connection connection, CadreClient client, JsonNode answer,
      Waiting waiting) {
    String operation = answer.path("operation").asText();
    if (!waiting.wait) {
      if (connection.json()) {
        json(spec, answer);
      } else {
        out(spec).println("accepted: " + operation);
        out(spec).flush();
      }
      return answer;
    }
    JsonNode op = client.await(operation, waiting.timeout());
    if (connection.json()) {
      json(spec, op);
    }
    checkDone(spec, connection, op);
    return op;
  }

  /** Exits non-zero with the operation's error unless it succeeded. */
  static void checkDone(CommandSpec spec, Connection connection, JsonNode op) {
    String status = op.path("status").asText();
    String id = op.path("id").asText();
    if (!CadreClient.done(op)) {
      throw new CliException(ExitCodes.TIMEOUT, "operation " + id + " is still " + status + " (" + op.path("progress").asInt()
          + "%); follow it with 'cadre ops wait " + id + "'");
    }
    if (!status.equals("success")) {
      String error = op.path("error").asText("");
      throw new CliException(ExitCodes.FAILED, "operation " + id + " (" + op.path("kind").asText() + ") ended in " + status
          + (error.isEmpty() ? "" : ": " + error));
    }
    if (!connection.json()) {
      out(spec).println("operation " + id + " (" + op.path("kind").asText() + "): success");
      out(spec).flush();
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? "" : v.asText();
  }
}

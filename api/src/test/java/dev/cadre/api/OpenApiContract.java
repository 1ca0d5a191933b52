package dev.cadre.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Holds real answers of the server against an OpenAPI document: the answer's path, method and
 * status must be documented, with a schema for the media type it came as, and the body must fit that
 * schema (no field it does not declare, every field it requires, the declared types). Anything the
 * document does not say is a problem, never a pass: a missing schema, a {@code $ref} to nothing, a
 * schema without a type.
 */
final class OpenApiContract {
  /** One answer as the client saw it; {@code body} of an event stream is its {@code data:} lines' JSON, one per line. */
  record Answer(String method, String path, int status, String contentType, String body) {
    String label() {
      return method + " " + path + " -> " + status;
    }
  }

  private final JsonNode doc;

  OpenApiContract(JsonNode doc) {
    this.doc = doc;
  }

  /** The documented path template that {@code path} (query ignored) is an instance of. */
  Optional<String> template(String path) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) {
      String template = it.next();
      String regex = Pattern.quote(template).replaceAll("\\{\\w+}", "\\\\E[^/]+\\\\Q");
      if (bare.matches(regex)) {
        return Optional.of(template);
      }
    }
    return Optional.empty();
  }

  /** What is wrong with {@code answer}; empty when the document describes it. */
  List<String> problems(Answer answer) {
    List<String> out = new ArrayList<>();
    String where = answer.label();
    Optional<String> template = template(answer.path());
    if (template.isEmpty()) {
      out.add(where + ": no documented path matches");
      return out;
    }
    JsonNode operation = doc.path("paths").path(template.get()).path(answer.method().toLowerCase());
    String documented = answer.method() + " " + template.get();
    if (operation.isMissingNode()) {
      out.add(where + ": " + documented + " is not documented");
      return out;
    }
    JsonNode response = resolve(operation.path("responses").path(Integer.toString(answer.status())), "responses");
    if (response.isMissingNode()) {
      out.add(where + ": " + documented + " documents no " + answer.status() + " response");
      return out;
    }
    if (answer.body() == null || answer.body().isEmpty()) {
      return out;
    }
    String media = answer.contentType() == null ? "" : answer.contentType().split(";")[0].trim().toLowerCase();
    JsonNode content = response.path("content").path(media);
    if (content.isMissingNode()) {
      out.add(where + ": " + documented + " " + answer.status() + " documents no " + (media.isEmpty() ? "(no type)" : media)
          + " body; it lists " + fieldNames(response.path("content")));
      return out;
    }
    JsonNode schema = content.path("schema");
    if (schema.isMissingNode()) {
      out.add(where + ": " + documented + " " + answer.status() + " " + media + " has no schema");
      return out;
    }
    switch (media) {
      case "application/json" -> check(schema, parse(answer.body(), where, out), where, out);
      case "text/event-stream" -> {
        for (String data : answer.body().split("\n")) {
          check(schema, parse(data, where, out), where + " event", out);
        }
      }
      default -> check(schema, com.fasterxml.jackson.databind.node.TextNode.valueOf(answer.body()), where, out);
    }
    return out;
  }

  private static JsonNode parse(String text, String where, List<String> out) {
    try {
      return ApiHarness.JSON.readTree(text);
    } catch (IOException e) {
      out.add(where + ": not JSON: " + text);
      return null;
    }
  }

  /** A {@code $ref} to {@code #/components/<section>/<name>} followed (once, as the document uses them), else the node. */
  private JsonNode resolve(JsonNode node, String section) {
    if (!node.has("$ref")) {
      return node;
    }
    String ref = node.get("$ref").asText();
    String prefix = "#/components/" + section + "/";
    if (!ref.startsWith(prefix)) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    return doc.path("components").path(section).path(ref.substring(prefix.length()));
  }

  private void check(JsonNode schemaOrRef, JsonNode value, String where, List<String> out) {
    if (value == null) {
      return; // not JSON: already reported
    }
    JsonNode schema = resolve(schemaOrRef, "schemas");
    if (schema.isMissingNode()) {
      out.add(where + ": schema " + schemaOrRef.path("$ref").asText() + " is not in the document");
      return;
    }
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        out.add(where + ": null, and the schema is not nullable");
      }
      return;
    }
    String type = schema.path("type").asText();
    switch (type) {
      case "object" -> checkObject(schema, value, where, out);
      case "array" -> {
        if (!value.isArray()) {
          out.add(where + ": expected an array, got " + value);
          return;
        }
        int i = 0;
        for (JsonNode item : value) {
          check(schema.path("items"), item, where + "[" + i++ + "]", out);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          out.add(where + ": expected a string, got " + value);
        } else if (schema.has("enum") && !contains(schema.get("enum"), value)) {
          out.add(where + ": '" + value.asText() + "' is not one of " + schema.get("enum"));
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          out.add(where + ": expected an integer, got " + value);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          out.add(where + ": expected a number, got " + value);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          out.add(where + ": expected a boolean, got " + value);
        }
      }
      default -> out.add(where + ": the schema has no type the check knows (" + schema + ")");
    }
  }

  /**
   * Declared properties are checked by their schema; any other field needs {@code additionalProperties}
   * (true, or a schema). Where properties are declared and {@code additionalProperties} is not, an
   * extra field is a problem: the answers carry exactly the fields their schemas describe.
   */
  private void checkObject(JsonNode schema, JsonNode value, String where, List<String> out) {
    if (!value.isObject()) {
      out.add(where + ": expected an object, got " + value);
      return;
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String at = where + "." + field.getKey();
      if (properties.has(field.getKey())) {
        check(properties.get(field.getKey()), field.getValue(), at, out);
      } else if (additional.isObject()) {
        check(additional, field.getValue(), at, out);
      } else if (!additional.asBoolean(properties.isMissingNode())) {
        out.add(where + ": field '" + field.getKey() + "' is not in the schema");
      }
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        out.add(where + ": required field '" + required.asText() + "' is missing");
      }
    }
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

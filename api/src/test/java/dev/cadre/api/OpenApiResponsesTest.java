package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real answers of the server carry exactly the fields their OpenAPI schemas describe, no more. */
class OpenApiResponsesTest {
  @TempDir Path dir;

  @Test
  void answersMatchTheirSchemas() {
    try (ApiHarness api = new ApiHarness(new FakeControlPlane(), dir)) {
      JsonNode doc = api.get("/openapi.json").json();
      ApiHarness.Response host = api.post("/v1/hosts", ApiServerTest.HOST);
      ApiHarness.Response app = api.post("/v1/apps", ApiServerTest.APP);
      check(doc, "Accepted", app.json(), "POST /v1/apps");
      check(doc, "Info", api.get("/v1").json(), "GET /v1");
      check(doc, "Host", api.get("/v1/hosts/h1").json(), "GET /v1/hosts/h1");
      check(doc, "App", api.get("/v1/apps/shop").json(), "GET /v1/apps/shop");
      check(doc, "Operation", api.get(host.json().path("operation").asText()).json(), "GET operation");
      check(doc, "Template", api.get("/v1/templates").json().get(0), "GET /v1/templates");
      check(doc, "Error", api.get("/v1/apps/none").json(), "404");
      check(doc, "Health", api.call("GET", "/healthz", null, null).json(), "healthz");
    }
  }

  /** Every field of {@code value} is a property of the schema (recursively through $ref, arrays and objects). */
  private static void check(JsonNode doc, String schemaName, JsonNode value, String where) {
    checkNode(doc, doc.path("components").path("schemas").path(schemaName), value, where + " " + schemaName);
  }

  private static void checkNode(JsonNode doc, JsonNode schema, JsonNode value, String where) {
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      schema = doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
    }
    if (value == null || value.isNull()) {
      return;
    }
    String type = schema.path("type").asText();
    if (type.equals("array")) {
      assertTrue(value.isArray(), where + ": expected an array, got " + value);
      for (JsonNode item : value) {
        checkNode(doc, schema.path("items"), item, where + "[]");
      }
    } else if (type.equals("object") && schema.has("properties")) {
      assertTrue(value.isObject(), where + ": expected an object, got " + value);
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode property = schema.path("properties").path(field.getKey());
        assertTrue(!property.isMissingNode(), where + ": field '" + field.getKey() + "' is not in the schema");
        checkNode(doc, property, field.getValue(), where + "." + field.getKey());
      }
      for (JsonNode required : schema.path("required")) {
        assertTrue(value.has(required.asText()), where + ": required field '" + required.asText() + "' missing");
      }
    } else if (type.equals("string")) {
      assertTrue(value.isTextual(), where + ": expected a string, got " + value);
    } else if (type.equals("integer")) {
      assertTrue(value.isIntegralNumber(), where + ": expected an integer, got " + value);
    } else if (type.equals("boolean")) {
      assertEquals(true, value.isBoolean(), where + ": expected a boolean, got " + value);
    }
  }
}

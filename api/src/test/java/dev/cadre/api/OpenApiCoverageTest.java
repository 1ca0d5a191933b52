package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served OpenAPI document and the routes the server registers describe the same API. */
class OpenApiCoverageTest {
  @TempDir Path dir;

  @Test
  void everyRegisteredRouteIsDocumentedAndViceVersa() {
    try (ApiHarness api = new ApiHarness(new FakeControlPlane(), dir)) {
      Set<String> registered = new TreeSet<>();
      api.server.routes().forEach(r -> registered.add(r.method() + " " + r.path()));
      assertTrue(registered.contains("GET /v1/events"), registered.toString());
      assertTrue(registered.size() >= 20, registered.toString());

      JsonNode doc = api.get("/openapi.json").json();
      assertTrue(doc.path("openapi").asText().startsWith("3."));
      Set<String> documented = new TreeSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
        Map.Entry<String, JsonNode> path = paths.next();
        path.getValue().fieldNames().forEachRemaining(method -> {
          if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
            documented.add(method.toUpperCase() + " " + path.getKey());
          }
        });
      }
      assertEquals(registered, documented);
    }
  }

  @Test
  void everyReferenceResolvesAndEveryOperationAnswersSomething() {
    try (ApiHarness api = new ApiHarness(new FakeControlPlane(), dir)) {
      JsonNode doc = api.get("/openapi.json").json();
      List<String> refs = new ArrayList<>();
      collectRefs(doc, refs);
      assertFalse(refs.isEmpty());
      for (String ref : refs) {
        // #/components/<schemas|responses|parameters|headers>/<name>
        String[] parts = ref.split("/");
        assertEquals(4, parts.length, ref);
        assertTrue(ref.startsWith("#/components/schemas/") || ref.startsWith("#/components/responses/")
            || ref.startsWith("#/components/parameters/") || ref.startsWith("#/components/headers/"), ref);
        assertFalse(doc.path("components").path(parts[2]).path(parts[3]).isMissingNode(), ref);
      }
      doc.path("paths").forEach(path -> path.forEach(op -> {
        assertTrue(op.path("responses").size() > 0, op.toString());
        assertFalse(op.path("operationId").asText().isEmpty(), op.toString());
      }));
      // the path parameters named in each path are declared
      doc.path("paths").fields().forEachRemaining(e -> e.getValue().forEach(op -> {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(e.getKey());
        while (m.find()) {
          String name = m.group(1);
          boolean declared = false;
          for (JsonNode p : op.path("parameters")) {
            declared |= p.path("name").asText().equals(name) && p.path("in").asText().equals("path");
          }
          assertTrue(declared, e.getKey() + " lacks parameter " + name);
        }
      }));
    }
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}

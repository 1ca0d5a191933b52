package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.cadre.api.routes.SystemRoutes;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The served document is valid OpenAPI 3 as a real parser reads it. */
class OpenApiDocumentTest {
  @Test
  void parsesWithoutMessages() {
    String doc = new String(SystemRoutes.openapi(), StandardCharsets.UTF_8);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(doc, null, null);
    assertNotNull(result.getOpenAPI(), String.valueOf(result.getMessages()));
    assertEquals(List.of(), result.getMessages());
    assertNotNull(result.getOpenAPI().getComponents().getSchemas().get("AppRequest"));
  }
}

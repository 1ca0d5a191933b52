package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCatalogTest {
  @TempDir Path tmp;

  @Test
  void theBuiltInCatalogHasBusyboxPostgresqlAndRedisWithTheirPlans() {
    TemplateCatalog catalog = TemplateCatalog.builtIn();
    assertEquals(List.of("busybox", "postgresql", "redis"), catalog.all().stream().map(Template::name).toList());
    Template redis = catalog.require("redis");
    assertEquals(List.of("password"), redis.secrets());
    assertTrue(redis.topologies().contains("single"));
    assertEquals(List.of("primary"), redis.roles("single"));
    assertEquals(6379, redis.plan().path("ports").get(0).path("port").asInt());
    assertTrue(redis.memoryMiB() > 0 && redis.diskMiB() > 0 && redis.cpus() > 0);
    assertTrue(redis.implementsHook("status"));
    Template pg = catalog.require("postgresql");
    assertEquals(List.of("password", "replication"), pg.secrets());
    assertEquals(List.of("single", "redundant"), pg.topologies());
    assertEquals(List.of("primary"), pg.roles("single"));
    assertEquals(List.of("primary", "replica"), pg.roles("redundant"));
    assertEquals(5432, pg.plan().path("ports").get(0).path("port").asInt());
    assertEquals("/var/lib/postgresql", pg.plan().path("data_dirs").get(0).asText());
    assertEquals("convertible", pg.plan().path("behaviors").get(0).asText());
    assertEquals(512, pg.memoryMiB());
    assertEquals(List.of("plan", "configure", "start", "stop", "health", "role", "status", "export-live", "export-final",
        "import-prep", "import-clean"), pg.hooks());
    assertEquals("backupable", pg.plan().path("behaviors").get(1).asText());
    assertTrue(redis.implementsHook("export-live") && redis.implementsHook("import-clean"));
    assertTrue(!catalog.require("busybox").implementsHook("export-live"), "busybox keeps no data");
    for (Template t : catalog.all()) {
      assertTrue(t.hooks().containsAll(TemplateCatalog.REQUIRED_HOOKS), t.name());
      assertTrue(t.recipeHash().matches("[0-9a-f]{64}"), t.recipeHash());
      assertEquals("cadre-" + t.name() + "-" + t.recipeHash().substring(0, 12), t.imageAlias());
      assertTrue(t.implementsHook("health"));
    }
  }

  @Test
  void anUnknownTemplateIsRefusedNamingTheKnownOnes() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TemplateCatalog.builtIn().require("mysql"));
    assertTrue(e.getMessage().contains("unknown template 'mysql'") && e.getMessage().contains("busybox"), e.getMessage());
    assertTrue(TemplateCatalog.builtIn().find(null).isEmpty());
  }

  @Test
  void theHashIsTheSameForACopyAndChangesWithAnyByteOrName() throws IOException {
    Path a = copyBuiltIn("a");
    Path b = copyBuiltIn("b");
    String busybox = TemplateCatalog.fromDirectory(a).require("busybox").recipeHash();
    assertEquals(busybox, TemplateCatalog.fromDirectory(b).require("busybox").recipeHash());
    assertEquals(TemplateCatalog.builtIn().require("busybox").recipeHash(), busybox);

    Files.writeString(b.resolve("busybox/hooks/start"), "\n", java.nio.file.StandardOpenOption.APPEND);
    assertNotEquals(busybox, TemplateCatalog.fromDirectory(b).require("busybox").recipeHash());

    Path c = copyBuiltIn("c");
    Files.move(c.resolve("busybox/files/web"), c.resolve("busybox/files/web2"));
    assertNotEquals(busybox, TemplateCatalog.fromDirectory(c).require("busybox").recipeHash());
  }

  @Test
  void theSharedRecipesArePartOfEveryTemplatesHash() throws IOException {
    Path a = copyBuiltIn("a");
    TemplateCatalog before = TemplateCatalog.fromDirectory(a);
    Files.writeString(a.resolve("recipes/busybox-image.sh"), "# changed\n", java.nio.file.StandardOpenOption.APPEND);
    TemplateCatalog after = TemplateCatalog.fromDirectory(a);
    for (String name : List.of("busybox", "postgresql", "redis")) {
      assertNotEquals(before.require(name).recipeHash(), after.require(name).recipeHash(), name);
    }
  }

  @Test
  void theHashCoversPathsAndContentNotJustTheirConcatenation() {
    String one = TemplateCatalog.hash(Map.of("t/a", "xy".getBytes(), "t/b", "z".getBytes()));
    String two = TemplateCatalog.hash(Map.of("t/a", "x".getBytes(), "t/b", "yz".getBytes()));
    String three = TemplateCatalog.hash(Map.of("t/b", "z".getBytes(), "t/a", "xy".getBytes()));
    assertNotEquals(one, two);
    assertEquals(one, three);
  }

  @Test
  void aTemplateMissingAListedHookIsRefusedClearly() throws IOException {
    Path a = copyBuiltIn("a");
    Files.delete(a.resolve("redis/hooks/health"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TemplateCatalog.fromDirectory(a));
    assertTrue(e.getMessage().contains("template 'redis'") && e.getMessage().contains("hooks/health"), e.getMessage());
  }

  @Test
  void aTemplateWithoutARequiredHookOrWithABadNameIsRefused() throws IOException {
    Path a = copyBuiltIn("a");
    Path json = a.resolve("busybox/template.json");
    Files.writeString(json, Files.readString(json).replace("\"health\"]", "\"halt\"]"));
    Files.writeString(a.resolve("busybox/hooks/halt"), "#!/bin/sh\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TemplateCatalog.fromDirectory(a));
    assertTrue(e.getMessage().contains("'health'"), e.getMessage());

    Path b = copyBuiltIn("b");
    Path bj = b.resolve("busybox/template.json");
    Files.writeString(bj, Files.readString(bj).replace("\"name\": \"busybox\"", "\"name\": \"other\""));
    assertThrows(InvalidInputException.class, () -> TemplateCatalog.fromDirectory(b));
  }

  @Test
  void theReadmeHoldsTheSameExitTableAsTheCode() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (int code : new int[] {0, 1, 2, 3, 64, 75, 124, 127}) {
      String row = "| " + code + " | " + HookExit.describe(code).replaceAll(":.*", "") + " |";
      assertTrue(readme.contains(row), "README misses the row " + row);
    }
  }

  private Path copyBuiltIn(String name) throws IOException {
    Path src = Path.of("src/main/resources/cadre-templates");
    Path dst = tmp.resolve(name);
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }
}

package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image builder running real recipes (small ones made here) as processes. */
class ImageBuilderIT {
  @TempDir Path tmp;

  /** A catalog with one template "t" whose recipe is {@code recipeBody}. */
  private TemplateCatalog catalog(String recipeBody) throws IOException {
    Path root = tmp.resolve("catalog");
    Path t = root.resolve("t");
    Files.createDirectories(t.resolve("hooks"));
    Files.createDirectories(root.resolve("recipes"));
    Files.writeString(root.resolve("recipes/shared.sh"), "echo shared\n");
    Files.writeString(t.resolve("template.json"), """
        {"name": "t", "description": "test",
         "plan": {"topologies": ["single"], "behaviors": [], "roles": {"single": ["primary"]},
                  "ports": [], "data_dirs": [], "users": []},
         "resources": {"cpus": 1, "memory_mib": 32, "disk_mib": 32},
         "secrets": [], "hooks": ["plan", "configure", "start", "stop", "health"]}
        """);
    for (String hook : TemplateCatalog.REQUIRED_HOOKS) {
      Files.writeString(t.resolve("hooks/" + hook), "#!/bin/sh\n");
    }
    Files.writeString(t.resolve("recipe"), "#!/bin/sh\nset -eu\nout=$1 template=$2 work=$3\n" + recipeBody);
    return TemplateCatalog.fromDirectory(root);
  }

  private static final String GOOD = """
      echo "building $CADRE_IMAGE_ALIAS" >> "$(dirname "$out")/builds"
      mkdir -p "$work/rootfs/opt/cadre"
      cp "$template/plan.json" "$work/rootfs/opt/cadre/plan.json"
      [ -x "$template/hooks/start" ]
      sh "$template/../recipes/shared.sh"
      printf 'architecture: x86_64\\ncreation_date: 1\\n' > "$work/metadata.yaml"
      sleep 0.5
      tar -C "$work" -czf "$out" metadata.yaml rootfs
      """;

  @Test
  void buildsOnceCachesByHashAndHandsTheRecipeTheTemplateFiles() throws Exception {
    TemplateCatalog catalog = catalog(GOOD);
    Template t = catalog.require("t");
    Path cache = tmp.resolve("cache");
    ImageBuilder builder = new ImageBuilder(cache, catalog, Duration.ofMinutes(1));
    assertTrue(builder.cached(t).isEmpty());

    List<CompletableFuture<BuiltImage>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> builder.build(t)));
    }
    for (CompletableFuture<BuiltImage> c : calls) {
      assertEquals(new BuiltImage(t.imageAlias(), cache.resolve(t.imageAlias() + ".tar.gz")), c.get());
    }
    assertEquals(List.of("building " + t.imageAlias()), Files.readAllLines(cache.resolve("builds")),
        "concurrent callers must share one build");
    // a second builder on the same cache (as a restarted cadre) finds it without building
    BuiltImage again = new ImageBuilder(cache, catalog, Duration.ofMinutes(1)).build(t);
    assertEquals(1, Files.readAllLines(cache.resolve("builds")).size());
    assertEquals(again, builder.cached(t).orElseThrow());
    assertTrue(Files.readString(cache.resolve(t.imageAlias() + ".log")).contains("shared"));

    String listing = tarList(again.tarball());
    assertTrue(listing.contains("rootfs/opt/cadre/plan.json"), listing);
    assertTrue(listing.contains("metadata.yaml"), listing);
    assertTrue(leftovers(cache).isEmpty(), "work folders left: " + leftovers(cache));
  }

  @Test
  void aNewRecipeVersionReplacesTheOldImageInTheCache() throws IOException {
    Path cache = tmp.resolve("cache");
    TemplateCatalog v1 = catalog(GOOD);
    BuiltImage first = new ImageBuilder(cache, v1, Duration.ofMinutes(1)).build(v1.require("t"));
    TemplateCatalog v2 = catalog(GOOD + "# version 2\n");
    BuiltImage second = new ImageBuilder(cache, v2, Duration.ofMinutes(1)).build(v2.require("t"));
    assertNotEquals(first.alias(), second.alias());
    assertTrue(Files.exists(second.tarball()));
    assertFalse(Files.exists(first.tarball()), "the old version's tarball was kept");
  }

  @Test
  void aFailedRecipeLeavesNoTarballAndReportsItsLogTail() throws IOException {
    TemplateCatalog catalog = catalog("""
        echo "step one"
        echo "half" > "$out"
        echo "debootstrap: cannot reach the mirror" >&2
        exit 3
        """);
    Template t = catalog.require("t");
    Path cache = tmp.resolve("cache");
    ImageBuilder builder = new ImageBuilder(cache, catalog, Duration.ofMinutes(1));
    HostFailureException e = assertThrows(HostFailureException.class, () -> builder.build(t));
    assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
    assertTrue(e.getMessage().contains("debootstrap: cannot reach the mirror"), e.getMessage());
    assertTrue(builder.cached(t).isEmpty());
    assertFalse(Files.exists(cache.resolve(t.imageAlias() + ".tar.gz")));
    assertTrue(leftovers(cache).isEmpty(), "left behind: " + leftovers(cache));
  }

  @Test
  void aRecipeThatExitsZeroWithoutATarballFails() throws IOException {
    TemplateCatalog catalog = catalog("echo 'forgot the tarball'\n");
    Template t = catalog.require("t");
    ImageBuilder builder = new ImageBuilder(tmp.resolve("cache"), catalog, Duration.ofMinutes(1));
    HostFailureException e = assertThrows(HostFailureException.class, () -> builder.build(t));
    assertTrue(e.getMessage().contains("no gzip tarball"), e.getMessage());
  }

  @Test
  void aRecipePastTheTimeoutIsKilled() throws IOException {
    int hang = 120;
    TemplateCatalog catalog = catalog("echo started\nsleep " + hang + "\n");
    Template t = catalog.require("t");
    Path cache = tmp.resolve("cache");
    ImageBuilder builder = new ImageBuilder(cache, catalog, Duration.ofSeconds(1));
    long t0 = System.nanoTime();
    HostFailureException e = assertThrows(HostFailureException.class, () -> builder.build(t));
    // the build ended by the 1 s timeout, not by the recipe: a bound against the recipe's sleep, not the machine
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < hang / 2.0, "the build took " + seconds + " s; the recipe sleeps " + hang + " s");
    assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("started"), e.getMessage());
    assertTrue(builder.cached(t).isEmpty());
  }

  @Test
  void aTemplateFromAnotherCatalogOrVersionIsRefused() throws IOException {
    TemplateCatalog catalog = catalog(GOOD);
    ImageBuilder builder = new ImageBuilder(tmp.resolve("cache"), catalog, Duration.ofMinutes(1));
    Template busybox = TemplateCatalog.builtIn().require("busybox");
    assertThrows(InvalidInputException.class, () -> builder.build(busybox));
    Template t = catalog.require("t");
    Template changed = new Template(t.name(), t.description(), t.plan(), t.resources(), t.secrets(), t.hooks(),
        "0".repeat(64));
    assertNotEquals(t.imageAlias(), changed.imageAlias());
    assertThrows(InvalidInputException.class, () -> builder.build(changed));
  }

  private static List<String> leftovers(Path cache) throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".work-") || n.contains(".partial") || n.contains(".tmp")).toList();
    }
  }

  private static String tarList(Path tarball) throws IOException {
    // read the gzip here to be sure it is one; list with tar itself
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball))) {
      in.readAllBytes();
    }
    Process p = new ProcessBuilder("tar", "-tzf", tarball.toString()).redirectErrorStream(true).start();
    return new String(p.getInputStream().readAllBytes());
  }
}

package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./cadre} launcher as a real bash process, in a copy of the repository's layout: it runs
 * the jar when the jar is newer than every source, and tries to build it when a source is newer.
 */
class LauncherIT {
  static final Path SCRIPT = Path.of("..", "cadre");
  static final Path JAR = Path.of("target", "cadre.jar");

  @TempDir Path root;

  record Result(int exit, String out) {}

  Result launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", root.resolve("cadre").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), out);
  }

  void layout() throws IOException {
    Files.copy(SCRIPT, root.resolve("cadre"));
    Files.createDirectories(root.resolve("api/target"));
    Files.createDirectories(root.resolve("api/src/main/java"));
    Path source = Files.writeString(root.resolve("api/src/main/java/A.java"), "class A {}");
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.copy(JAR, root.resolve("api/target/cadre.jar"));
    Instant old = Instant.now().minusSeconds(3600);
    Files.setLastModifiedTime(source, FileTime.from(old));
    Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(old));
  }

  @Test
  void runsAFreshJarWithTheArguments() throws Exception {
    layout();
    Result r = launch(Map.of(), "--version");
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("cadre "), r.out());
    Result status = launch(Map.of("CADRE_URL", "http://127.0.0.1:9"), "status");
    assertEquals(3, status.exit(), status.out());
  }

  @Test
  void rebuildsWhenASourceIsNewer() throws Exception {
    layout();
    Files.setLastModifiedTime(root.resolve("api/src/main/java/A.java"), FileTime.from(Instant.now().plusSeconds(60)));
    // no mvn on this PATH: the launcher must notice the stale jar and say it cannot build, not run it
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
    for (String tool : List.of("find", "dirname")) {
      Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
    }
    Result r = launch(Map.of("PATH", bin.toString()), "--version");
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("stale") && r.out().contains("mvn"), r.out());
  }
}

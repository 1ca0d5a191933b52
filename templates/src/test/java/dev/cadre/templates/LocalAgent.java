package dev.cadre.templates;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The agent script run as a local process under one shell, with its root moved to a temp folder. */
final class LocalAgent {
  final List<String> shell;
  final Path root;
  final Path script;

  LocalAgent(List<String> shell, Path root) throws IOException {
    this.shell = List.copyOf(shell);
    this.root = root;
    this.script = root.resolve("agent");
    Files.write(script, Agent.script());
    Files.createDirectories(hooks());
  }

  Path hooks() {
    return root.resolve("opt/cadre/hooks");
  }

  Path journal() {
    return root.resolve("var/lib/cadre/journal");
  }

  void hook(String name, String body) throws IOException {
    Path p = hooks().resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  record Run(int exit, String stdout, String stderr, HookResult result) {}

  Run run(String payload, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(shell);
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("CADRE_AGENT_ROOT", root.toString());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      try (var in = p.getOutputStream()) {
        in.write(payload.getBytes(StandardCharsets.UTF_8));
      } catch (IOException stdinClosed) {
        // the agent refused before reading stdin
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("the agent did not end within 60 s: " + cmd);
      }
      byte[] o = out.join();
      byte[] e = err.join();
      return new Run(p.exitValue(), new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8),
          Agent.parse(p.exitValue(), o, e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

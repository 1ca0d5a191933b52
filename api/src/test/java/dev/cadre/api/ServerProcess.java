package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code cadre serve} as a separate process from the packaged jar, on a free loopback port, its output in
 * a log file: started and waited for until {@code /healthz} answers, then asked through {@link #api()}.
 */
record ServerProcess(Path data, Path log, int port, Process process) implements AutoCloseable {
  static final Path JAR = Path.of("target", "cadre.jar");

  /** Starts {@code cadre serve --data-dir data --listen 127.0.0.1:<free port> extra...} and waits for it (60 s). */
  static ServerProcess start(Path data, Path log, String... extra) throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the package phase builds " + JAR.toAbsolutePath());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toAbsolutePath().toString(), "serve",
        "--data-dir", data.toString(), "--listen", "127.0.0.1:" + port));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    ServerProcess server = new ServerProcess(data, log, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), "server exited: " + server.output());
      try {
        if (new ApiHarness(server.base(), null).call("GET", "/healthz", null, null).status() == 200) {
          return server;
        }
      } catch (RuntimeException notYet) {
        // connection refused until it listens
      }
      Thread.sleep(100);
    }
    server.close();
    throw new AssertionError("server did not answer /healthz in 60 s: " + server.output());
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** A client with the bootstrap admin token the server wrote into its data dir. */
  ApiHarness api() {
    try {
      return new ApiHarness(base(), Files.readString(data.resolve("admin-token")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL, as a crash or an OOM killer would end it; waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "still running after SIGKILL");
  }

  /** SIGTERM (a clean stop), then SIGKILL if it does not end in 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}

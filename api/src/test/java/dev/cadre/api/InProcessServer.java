package dev.cadre.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** {@code cadre serve} started in this JVM, on a free loopback port, with the real control plane. */
final class InProcessServer implements AutoCloseable {
  final ServeCommand serve = new ServeCommand();
  final ServeCommand.Running running;
  final ApiHarness api;

  /** {@code moreArgs}: further {@code serve} options, such as {@code --store JDBC_URL}. */
  InProcessServer(Path dataDir, String... moreArgs) {
    String[] args = java.util.stream.Stream.concat(
        java.util.stream.Stream.of("--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0"),
        java.util.Arrays.stream(moreArgs)).toArray(String[]::new);
    new CommandLine(serve).parseArgs(args);
    running = serve.start();
    try {
      String token = Files.readString(dataDir.resolve("admin-token")).trim();
      api = new ApiHarness("http://127.0.0.1:" + running.api().port(), token);
    } catch (IOException e) {
      serve.stop();
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    serve.stop();
  }
}

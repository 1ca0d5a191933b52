package dev.cadre.zone;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Starts a local process, feeds it stdin, and collects both outputs under a timeout that always ends. */
final class Processes {
  /** Pipe pumps block on I/O; they get their own daemon threads rather than the common pool. */
  private static final Executor PUMPS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cadre-zone-pipe");
    t.setDaemon(true);
    return t;
  });

  private Processes() {}

  /**
   * @param host the host name failures are reported against (for ssh: the remote host, not this one)
   */
  static CommandResult run(String host, List<String> argv, byte[] stdin, Duration timeout) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      // ENOENT from posix_spawn: the program itself is missing, which no retry will fix
      throw new HostFailureException(host, "cannot run '" + argv.get(0) + "': " + e.getMessage(), e);
    }
    // Both outputs are drained while stdin is written: a child that fills a pipe must never deadlock us.
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()), PUMPS);
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()), PUMPS);
    CompletableFuture<Void> in = CompletableFuture.runAsync(() -> writeAll(process.getOutputStream(), stdin), PUMPS);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new UnavailableException(host, "'" + argv.get(0) + "' did not finish within " + timeout);
      }
      byte[] stdout = out.get(10, TimeUnit.SECONDS);
      byte[] stderr = err.get(10, TimeUnit.SECONDS);
      in.cancel(false); // a child that exits without reading all of stdin is not an error
      return new CommandResult(process.exitValue(), stdout, stderr);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new UnavailableException(host, "interrupted while running '" + argv.get(0) + "'", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      throw new HostFailureException(host, "cannot read the output of '" + argv.get(0) + "': " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeAll(OutputStream out, byte[] bytes) {
    try (out) {
      if (bytes != null) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the child closed its stdin early ("Broken pipe"); its exit status tells the story
    }
  }
}

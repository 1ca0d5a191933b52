package dev.cadre.zone;

import dev.cadre.driver.BoundedOutput;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.TimedOutException;
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
import java.util.concurrent.TimeoutException;

/**
 * Starts local processes, feeds them stdin, and collects their outputs under a timeout that always
 * ends: one command, or two joined by an OS pipe. Outputs are drained to their end into bounded sinks
 * (a command on a host, or a tenant's command in a zone, may print without end): at most the given
 * limit of each is kept, and past it the rest is dropped or the process is killed.
 */
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
  static CommandResult run(String host, List<String> argv, byte[] stdin, Duration timeout, int outputLimit,
      boolean stopAtLimit) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    String what = "'" + argv.get(0) + "'";
    Process process = start(host, what, () -> new ProcessBuilder(argv).start());
    // Both outputs are drained while stdin is written: a child that fills a pipe must never deadlock us.
    Output output = Output.of(process, outputLimit, stopAtLimit);
    CompletableFuture<Void> in = CompletableFuture.runAsync(() -> writeAll(process.getOutputStream(), stdin), PUMPS);
    awaitAll(host, what, timeout, process);
    in.cancel(false); // a child that exits without reading all of stdin is not an error
    return output.result(host, what, process);
  }

  /**
   * Runs {@code source | sink} with an OS pipe between them, so the bytes never pass through this JVM.
   * Returns both results; the source's stdout is empty (it went to the sink).
   */
  static CommandResult[] pipe(String sourceHost, List<String> source, String sinkHost, List<String> sink, Duration timeout) {
    if (source.isEmpty() || sink.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    String what = "'" + source.get(0) + " | " + sink.get(0) + "'";
    List<Process> both = start(sourceHost, what,
        () -> ProcessBuilder.startPipeline(List.of(new ProcessBuilder(source), new ProcessBuilder(sink))));
    Process from = both.get(0);
    Process to = both.get(1);
    writeAll(from.getOutputStream(), null);
    Output fromOutput = Output.of(from, CommandRunner.OUTPUT_LIMIT, false);
    Output toOutput = Output.of(to, CommandRunner.OUTPUT_LIMIT, false);
    awaitAll(sinkHost, what, timeout, from, to);
    return new CommandResult[] {fromOutput.result(sourceHost, what, from), toOutput.result(sinkHost, what, to)};
  }

  private interface Start<T> {
    T start() throws IOException;
  }

  private static <T> T start(String host, String what, Start<T> start) {
    try {
      return start.start();
    } catch (IOException e) {
      // ENOENT from posix_spawn: the program itself is missing, which no retry will fix
      throw new HostFailureException(host, "cannot run " + what + ": " + e.getMessage(), e);
    }
  }

  /** Waits for every process until one shared deadline; on timeout or interrupt, kills them all. */
  private static void awaitAll(String host, String what, Duration timeout, Process... processes) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Process p : processes) {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          kill(processes);
          throw new TimedOutException(host, what + " timed out after " + (timeout.toMillis() + 999) / 1000
              + "s, killed");
        }
      }
    } catch (InterruptedException e) {
      kill(processes);
      Thread.currentThread().interrupt();
      throw new UnavailableException(host, "interrupted while running " + what, e);
    }
  }

  private static void kill(Process... processes) {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /**
   * SIGKILL to a process and its descendants through their handles: unlike Process.destroyForcibly this
   * leaves the pipes open, so the pumps read what is left and end at EOF instead of failing.
   */
  private static void signalKill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.toHandle().destroyForcibly();
  }

  /** A process's stdout and stderr, drained from the moment it starts. */
  private record Output(CompletableFuture<BoundedOutput> out, CompletableFuture<BoundedOutput> err) {
    static Output of(Process p, int limit, boolean stopAtLimit) {
      Runnable stop = stopAtLimit ? () -> signalKill(p) : null;
      BoundedOutput out = new BoundedOutput(limit, stop);
      BoundedOutput err = new BoundedOutput(limit, stop);
      return new Output(CompletableFuture.supplyAsync(() -> drain(p.getInputStream(), out), PUMPS),
          CompletableFuture.supplyAsync(() -> drain(p.getErrorStream(), err), PUMPS));
    }

    /** After the process ended: a grandchild still holding a pipe open gets a few seconds, then counts as a failure. */
    CommandResult result(String host, String what, Process p) {
      try {
        return CommandResult.of(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException(host, "interrupted while reading the output of " + what, e);
      } catch (ExecutionException | TimeoutException e) {
        kill(p);
        throw new HostFailureException(host, "cannot read the output of " + what + ": " + e.getMessage(), e);
      }
    }
  }

  private static BoundedOutput drain(InputStream in, BoundedOutput sink) {
    try (in) {
      in.transferTo(sink);
      return sink;
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

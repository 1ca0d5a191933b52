package dev.cadre.zone;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The driver's view of a runner: runs a host tool and turns a failed exit into a typed exception. */
final class Commands {
  private final CommandRunner runner;
  private final Duration timeout;

  Commands(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.timeout = timeout;
  }

  String host() {
    return runner.host();
  }

  CommandRunner runner() {
    return runner;
  }

  /** Runs and returns the result whatever the exit: for callers that read the exit themselves. */
  CommandResult raw(List<String> argv, byte[] stdin, Duration limit) {
    return runner.run(argv, stdin, limit);
  }

  /** Like {@link #raw(List, byte[], Duration)}, keeping at most {@code outputLimit} bytes of each output. */
  CommandResult raw(List<String> argv, byte[] stdin, Duration limit, int outputLimit, boolean stopAtLimit) {
    return runner.run(argv, stdin, limit, outputLimit, stopAtLimit);
  }

  String check(String... argv) {
    return check(List.of(argv), null, timeout).stdoutText();
  }

  String checkWithInput(String input, String... argv) {
    return check(List.of(argv), input.getBytes(StandardCharsets.UTF_8), timeout).stdoutText();
  }

  CommandResult check(List<String> argv, byte[] stdin, Duration limit) {
    CommandResult result = runner.run(argv, stdin, limit);
    if (!result.ok()) {
      throw ZoneErrors.translate(runner.host(), argv, result);
    }
    return result;
  }
}

package dev.cadre.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --wait-timeout}, for every command that starts an operation. */
final class Waiting {
  @Option(names = "--wait", description = "follow the operation; exit non-zero unless it succeeds")
  boolean wait;

  @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "3600",
      description = "how long --wait follows the operation (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }
}

package dev.cadre.zone;

import dev.cadre.driver.BoundedOutput;
import java.nio.charset.StandardCharsets;

/**
 * What a host command left behind: its exit status and what it wrote, up to the runner's output limit
 * per stream; {@code stdoutDropped} and {@code stderrDropped} count the bytes read past it and dropped.
 */
public record CommandResult(int exitCode, byte[] stdout, byte[] stderr, long stdoutDropped, long stderrDropped) {
  public CommandResult {
    stdout = stdout == null ? new byte[0] : stdout;
    stderr = stderr == null ? new byte[0] : stderr;
  }

  /** Everything the command wrote was kept. */
  public CommandResult(int exitCode, byte[] stdout, byte[] stderr) {
    this(exitCode, stdout, stderr, 0, 0);
  }

  static CommandResult of(int exitCode, BoundedOutput stdout, BoundedOutput stderr) {
    return new CommandResult(exitCode, stdout.kept(), stderr.kept(), stdout.dropped(), stderr.dropped());
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** True when either stream wrote more than the limit. */
  public boolean truncated() {
    return stdoutDropped > 0 || stderrDropped > 0;
  }

  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }
}

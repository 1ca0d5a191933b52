package dev.cadre.driver;

import java.nio.charset.StandardCharsets;

/**
 * What a command left behind: its exit code and what it wrote, up to the request's output limit per
 * stream. Bytes past the limit were read and dropped; {@code stdoutDropped} and {@code stderrDropped}
 * count them.
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, long stdoutDropped, long stderrDropped) {
  public ExecResult {
    stdout = stdout == null ? new byte[0] : stdout;
    stderr = stderr == null ? new byte[0] : stderr;
    if (stdoutDropped < 0 || stderrDropped < 0) {
      throw new IllegalArgumentException("dropped byte counts must not be negative");
    }
  }

  /** Everything the command wrote was kept. */
  public ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
    this(exitCode, stdout, stderr, 0, 0);
  }

  /** From the two sinks that read the command's outputs. */
  public static ExecResult of(int exitCode, BoundedOutput stdout, BoundedOutput stderr) {
    return new ExecResult(exitCode, stdout.kept(), stderr.kept(), stdout.dropped(), stderr.dropped());
  }

  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** True when either stream wrote more than the limit and its tail was dropped. */
  public boolean truncated() {
    return stdoutDropped > 0 || stderrDropped > 0;
  }

  /** How many bytes the command wrote to stdout in all. */
  public long stdoutSize() {
    return stdout.length + stdoutDropped;
  }

  /** How many bytes the command wrote to stderr in all. */
  public long stderrSize() {
    return stderr.length + stderrDropped;
  }
}

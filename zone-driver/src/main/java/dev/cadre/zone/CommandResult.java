package dev.cadre.zone;

import java.nio.charset.StandardCharsets;

/** What a host command left behind: its exit status and everything it wrote. */
public record CommandResult(int exitCode, byte[] stdout, byte[] stderr) {
  public CommandResult {
    stdout = stdout == null ? new byte[0] : stdout;
    stderr = stderr == null ? new byte[0] : stderr;
  }

  public boolean ok() {
    return exitCode == 0;
  }

  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }
}

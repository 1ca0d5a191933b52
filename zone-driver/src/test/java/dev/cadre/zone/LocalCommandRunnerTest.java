package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.TimedOutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalCommandRunnerTest {
  private final LocalCommandRunner runner = new LocalCommandRunner("gz1");
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void returnsExitCodeAndBothOutputsSeparately() {
    CommandResult r = runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), null, T);
    assertEquals(3, r.exitCode());
    assertEquals("out\n", r.stdoutText());
    assertEquals("err\n", r.stderrText());
  }

  @Test
  void argumentsReachTheProgramWithoutAShell() {
    CommandResult r = runner.run(List.of("printf", "%s|", "a b", "$(id)", "'"), null, T);
    assertEquals("a b|$(id)|'|", r.stdoutText());
  }

  @Test
  void largeStdinStdoutAndStderrDoNotDeadlock() {
    byte[] data = new byte[4 * 1024 * 1024];
    new Random(7).nextBytes(data);
    CommandResult r = runner.run(List.of("sh", "-c", "tee /dev/stderr"), data, T);
    assertEquals(0, r.exitCode());
    assertArrayEquals(data, r.stdout());
    assertArrayEquals(data, r.stderr());
  }

  @Test
  void aMissingProgramIsAHostFailureNamingTheHost() {
    HostFailureException e = assertThrows(HostFailureException.class,
        () -> runner.run(List.of("/nonexistent/zoneadm", "list"), null, T));
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains("zoneadm"), e.getMessage());
  }

  @Test
  void aCommandOutlivingItsTimeoutIsKilledAndReportedTimedOut() {
    Duration hang = Duration.ofSeconds(30);
    long start = System.nanoTime();
    UnavailableException e = assertThrows(TimedOutException.class,
        () -> runner.run(List.of("sleep", Long.toString(hang.toSeconds())), null, Duration.ofMillis(300)));
    assertEquals("gz1", e.host());
    // a bound against the command's sleep, not the machine: the timeout, not the command, ended the wait
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(hang.dividedBy(2)) < 0, "the timeout must end the wait");
  }

  @Test
  void outputPastTheLimitIsDrainedAndCountedNotKept() {
    // 1 GiB through the pipe: the process must run to its end (not block on a full pipe) and exit 0
    CommandResult r = runner.run(List.of("sh", "-c", "head -c 1073741824 /dev/zero; head -c 5000 /dev/zero >&2"),
        null, T, 4096);
    assertEquals(0, r.exitCode());
    assertEquals(4096, r.stdout().length);
    assertEquals((1L << 30) - 4096, r.stdoutDropped());
    assertEquals(4096, r.stderr().length);
    assertEquals(5000 - 4096, r.stderrDropped());
    assertTrue(r.truncated());
  }

  @Test
  void stoppingAtTheLimitKillsAnEndlessPrinterAtOnce() {
    CommandResult r = runner.run(List.of("yes"), null, T, 4096, true);
    assertEquals(137, r.exitCode());
    assertEquals(4096, r.stdout().length);
    assertTrue(r.truncated());
  }

  @Test
  void stdinIsPassedThrough() {
    CommandResult r = runner.run(List.of("cat"), "héllo\n".getBytes(StandardCharsets.UTF_8), T);
    assertEquals("héllo\n", r.stdoutText());
  }
}

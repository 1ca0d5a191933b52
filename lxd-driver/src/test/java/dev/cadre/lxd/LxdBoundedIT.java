package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HeapWatch;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.TimedOutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What a hostile tenant's commands do to the plane, on real LXD: endless output, one huge line, binary
 * garbage, a command that never ends. Each test watches this JVM's live heap and fails when it grew by
 * 256 MiB or more.
 */
class LxdBoundedIT {
  private static final long MIB = 1024 * 1024;
  private static final long HEAP_BUDGET = 256 * MIB;
  private static final String NAME = "it-bounded-" + UUID.randomUUID().toString().substring(0, 8);

  private HeapWatch heap;

  @BeforeAll
  static void launch() {
    LxdTestHosts.one().create(InstanceSpec.builder(NAME, "busybox").build());
    LxdTestHosts.one().start(NAME);
  }

  @AfterAll
  static void remove() {
    LxdTestHosts.one().delete(NAME);
  }

  @BeforeEach
  void watch() {
    heap = HeapWatch.start(100);
  }

  @AfterEach
  void heapStayedWithinItsBudget(TestInfo test) {
    heap.close();
    System.out.println(test.getDisplayName() + ": " + heap.report());
    assertTrue(heap.peakGrowth() < HEAP_BUDGET, heap.report());
    assertTrue(heap.afterGrowth() < HEAP_BUDGET, heap.report());
  }

  private static String md5(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ExecResult exec(ExecRequest request) {
    return LxdTestHosts.one().exec(NAME, request);
  }

  /** The command lines of every process in the container, read from /proc. */
  private static List<String> processes() {
    ExecResult ps = exec(ExecRequest.of("sh", "-c",
        "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done"));
    assertEquals(0, ps.exitCode(), ps.stderrText());
    return ps.stdoutText().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void endlessOutputEndsAtTheTimeoutAndTheCommandIsKilled() {
    long t0 = System.nanoTime();
    TimedOutException e = assertThrows(TimedOutException.class,
        () -> exec(new ExecRequest(List.of("yes"), Map.of(), null, Duration.ofSeconds(5))));
    long took = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("yes: ended after " + took + " ms: " + e.getMessage());
    assertTrue(e.getMessage().contains("timed out after 5s, killed"), e.getMessage());
    long written = Long.parseLong(e.getMessage().replaceAll(".*it had written (\\d+) bytes to stdout.*", "$1"));
    assertTrue(written > ExecRequest.DEFAULT_OUTPUT_LIMIT, "more was written than kept: " + written);
    assertTrue(took >= 5_000 && took < 20_000, "took " + took + " ms");
    assertFalse(processes().contains("yes"), "yes still runs: " + processes());
  }

  @Test
  void aCommandThatNeverEndsIsKilledAtItsTimeout() {
    TimedOutException e = assertThrows(TimedOutException.class,
        () -> exec(new ExecRequest(List.of("sleep", "3600"), Map.of(), null, Duration.ofSeconds(2))));
    assertTrue(e.getMessage().contains("timed out after 2s, killed"), e.getMessage());
    List<String> left = processes();
    assertFalse(left.contains("sleep 3600"), "sleep still runs: " + left);
    // the same check sees a sleep that does run: it is not blind
    String pid = exec(ExecRequest.of("sh", "-c", "sleep 3601 </dev/null >/dev/null 2>&1 & echo $!")).stdoutText().strip();
    assertTrue(processes().contains("sleep 3601"), processes().toString());
    exec(ExecRequest.of("kill", "-9", pid));
  }

  @Test
  void stoppingAtTheLimitKillsTheFloodAndWhatItStarted() {
    long t0 = System.nanoTime();
    ExecResult r = exec(ExecRequest.of("sh", "-c", "yes | cat").withTimeout(Duration.ofSeconds(60)).stoppingAtLimit());
    long took = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("yes | cat stopped at the limit after " + took + " ms, exit " + r.exitCode());
    // killed (137), or its pipe went first when the output sockets closed (141, SIGPIPE): either way it stopped
    assertTrue(r.exitCode() == 137 || r.exitCode() == 141, "exit " + r.exitCode());
    assertEquals(ExecRequest.DEFAULT_OUTPUT_LIMIT, r.stdout().length);
    assertTrue(r.truncated());
    assertTrue(took < 30_000, "took " + took + " ms");
    // the killed shell's children lost their pipe with it
    for (int i = 0; i < 50 && processes().stream().anyMatch(p -> p.equals("yes") || p.equals("cat")); i++) {
      sleep(100);
    }
    List<String> left = processes();
    assertFalse(left.contains("yes") || left.contains("cat"), left.toString());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void oneLineOf500MiBWithoutNewlineCompletesKeepingOnlyTheLimit() {
    long size = 500 * MIB;
    long t0 = System.nanoTime();
    ExecResult r = exec(new ExecRequest(List.of("head", "-c", Long.toString(size), "/dev/zero"), Map.of(), null,
        Duration.ofMinutes(5)));
    long took = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("500 MiB line: %d ms (%.0f MiB/s through the exec socket)%n", took, 500 * 1000.0 / took);
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals(ExecRequest.DEFAULT_OUTPUT_LIMIT, r.stdout().length);
    assertEquals(size, r.stdoutSize());
    assertTrue(r.truncated());
    assertArrayEquals(new byte[ExecRequest.DEFAULT_OUTPUT_LIMIT], r.stdout());
  }

  @Test
  void binaryGarbageIsKeptByteForByteUpToTheLimit() {
    assertEquals(0, exec(ExecRequest.of("sh", "-c", "head -c 10485760 /dev/urandom > /tmp/garbage")).exitCode());
    ExecResult whole = exec(ExecRequest.of("cat", "/tmp/garbage").withOutputLimit(16 * 1024 * 1024));
    assertFalse(whole.truncated());
    byte[] garbage = whole.stdout();
    assertEquals(10 * MIB, garbage.length);
    // byte for byte: the container's own checksum of the file against the bytes that came through
    String inside = exec(ExecRequest.of("md5sum", "/tmp/garbage")).stdoutText().split(" ")[0];
    assertEquals(inside, md5(garbage));

    ExecResult cut = exec(ExecRequest.of("sh", "-c", "cat /tmp/garbage >&2; cat /tmp/garbage"));
    assertArrayEquals(Arrays.copyOf(garbage, ExecRequest.DEFAULT_OUTPUT_LIMIT), cut.stderr());
    assertArrayEquals(Arrays.copyOf(garbage, ExecRequest.DEFAULT_OUTPUT_LIMIT), cut.stdout());
    assertEquals(9 * MIB, cut.stderrDropped());
    assertEquals(9 * MIB, cut.stdoutDropped());
  }
}

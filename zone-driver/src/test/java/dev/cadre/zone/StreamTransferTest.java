package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One host's output into another's input through an OS pipe, with local processes standing in for the hosts. */
class StreamTransferTest {
  private static final Duration T = Duration.ofSeconds(30);
  private final Commands source = new Commands(new LocalCommandRunner("gz1"), T);
  private final Commands target = new Commands(new LocalCommandRunner("gz2"), T);
  @TempDir Path dir;

  private static List<String> sh(String script) {
    return List.of("sh", "-c", script);
  }

  @Test
  void aStreamLargerThanTheHeapCouldHoldTwiceFlowsThroughThePipe() throws Exception {
    long bytes = Math.max(256L << 20, Runtime.getRuntime().maxMemory() / 2 + (1 << 20));
    Path count = dir.resolve("count");
    StreamTransfer.run(source, sh("head -c " + bytes + " /dev/zero"), target, sh("wc -c > " + count), T);
    assertEquals(Long.toString(bytes), Files.readString(count).strip());
  }

  @Test
  void aFailingSenderIsReportedAgainstTheSourceHost() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> StreamTransfer.run(source,
        sh("echo 'cannot open zones/web1@cadre-copy-2: dataset does not exist' >&2; exit 2"), target,
        sh("cat > /dev/null; echo 'cannot receive: failed to read from stream' >&2; exit 1"), T));
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains("dataset does not exist"), e.getMessage());
    assertEquals(1, e.getSuppressed().length, "the receiver's failure rides along");
  }

  @Test
  void aReceiverThatGivesUpIsReportedAgainstTheTargetHostNotTheBrokenPipe() {
    HostFailureException e = assertThrows(HostFailureException.class, () -> StreamTransfer.run(source,
        List.of("sh", "-c", "exec head -c 100000000 /dev/zero"), target,
        sh("head -c 10 > /dev/null; echo 'cannot receive: out of space' >&2; exit 1"), T));
    assertEquals("gz2", e.host());
    assertTrue(e.getMessage().contains("out of space"), e.getMessage());
  }

  @Test
  void aHangingTransferEndsAtTheTimeout() {
    Duration hang = Duration.ofSeconds(30);
    long start = System.nanoTime();
    assertThrows(UnavailableException.class, () -> StreamTransfer.run(source,
        List.of("sleep", Long.toString(hang.toSeconds())), target, List.of("cat"), Duration.ofMillis(500)));
    // a bound against the sender's sleep, not the machine: the timeout, not the sender, ended the transfer
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(hang.dividedBy(2)) < 0, "the timeout must end the transfer");
  }
}

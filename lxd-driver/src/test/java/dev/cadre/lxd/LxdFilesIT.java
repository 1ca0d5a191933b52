package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileTooLargeException;
import dev.cadre.driver.HeapWatch;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files streamed in and out of a real LXD instance (archives of a service's data): byte-identical both
 * ways, with the heap well below the file's size (nothing holds a file whole), and the limit, a missing
 * file and a directory refused with their own exceptions.
 */
class LxdFilesIT {
  private static final long MIB = 1024 * 1024;
  private static final String NAME = "it-files-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir Path dir;

  @BeforeAll
  static void launch() {
    LxdTestHosts.one().create(InstanceSpec.builder(NAME, "busybox").build());
    LxdTestHosts.one().start(NAME);
  }

  @AfterAll
  static void remove() {
    LxdTestHosts.one().delete(NAME);
  }

  private static String sha256Inside(String path) {
    ExecResult r = LxdTestHosts.one().exec(NAME, ExecRequest.of("sha256sum", path));
    assertEquals(0, r.exitCode(), r.stderrText());
    return r.stdoutText().strip().split("\\s+")[0];
  }

  private static MessageDigest sha256() throws Exception {
    return MessageDigest.getInstance("SHA-256");
  }

  @Test
  void aLargeFileGoesInAndComesOutByteIdenticalWithoutBeingHeldInMemory() throws Exception {
    Path local = dir.resolve("big.bin");
    MessageDigest sent = sha256();
    Random random = new Random(11);
    byte[] chunk = new byte[(int) MIB];
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(local), sent)) {
      for (int i = 0; i < 96; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    String sentHex = HexFormat.of().formatHex(sent.digest());
    try (HeapWatch heap = HeapWatch.start(100)) {
      LxdTestHosts.one().pushFile(NAME, "/root/big.bin", local, 0600);
      heap.close();
      System.out.println("push 96 MiB: " + heap.report());
      assertTrue(heap.peakGrowth() < 48 * MIB, heap.report());
    }
    assertEquals(sentHex, sha256Inside("/root/big.bin"), "pushed byte-identical");
    ExecResult mode = LxdTestHosts.one().exec(NAME, ExecRequest.of("stat", "-c", "%a", "/root/big.bin"));
    assertEquals("600", mode.stdoutText().strip());

    MessageDigest got = sha256();
    long bytes;
    try (HeapWatch heap = HeapWatch.start(100);
        OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), got)) {
      bytes = LxdTestHosts.one().pullFile(NAME, "/root/big.bin", out, 200 * MIB);
      heap.close();
      System.out.println("pull 96 MiB: " + heap.report());
      assertTrue(heap.peakGrowth() < 48 * MIB, heap.report());
    }
    assertEquals(96 * MIB, bytes);
    assertEquals(sentHex, HexFormat.of().formatHex(got.digest()), "pulled byte-identical");
  }

  @Test
  void aFileWrittenInsideComesOutAsItIs() throws Exception {
    ExecResult made = LxdTestHosts.one().exec(NAME, new ExecRequest(List.of("sh", "-c",
        "dd if=/dev/urandom of=/root/made.bin bs=1024 count=3000 2>/dev/null"), Map.of(), null, null));
    assertEquals(0, made.exitCode(), made.stderrText());
    MessageDigest got = sha256();
    long bytes = LxdTestHosts.one().pullFile(NAME, "/root/made.bin",
        new DigestOutputStream(OutputStream.nullOutputStream(), got), 10 * MIB);
    assertEquals(3000 * 1024, bytes);
    assertEquals(sha256Inside("/root/made.bin"), HexFormat.of().formatHex(got.digest()));
  }

  @Test
  void aFileOverTheLimitIsRefusedAndTheSinkGetsNoMoreThanTheLimit() throws Exception {
    ExecResult made = LxdTestHosts.one().exec(NAME, ExecRequest.of("sh", "-c",
        "dd if=/dev/zero of=/root/over.bin bs=1024 count=4096 2>/dev/null"));
    assertEquals(0, made.exitCode(), made.stderrText());
    CountingSink sink = new CountingSink();
    FileTooLargeException e = assertThrows(FileTooLargeException.class,
        () -> LxdTestHosts.one().pullFile(NAME, "/root/over.bin", sink, MIB));
    assertTrue(e.getMessage().contains("/root/over.bin") && e.getMessage().contains("lxd1"), e.getMessage());
    assertTrue(sink.count <= MIB, "wrote " + sink.count);
    // the same file fits a larger limit: the limit is what refused it
    assertEquals(4096 * 1024, LxdTestHosts.one().pullFile(NAME, "/root/over.bin", new CountingSink(), 4 * MIB));
  }

  @Test
  void aMissingFileIsNotFoundAndADirectoryIsRefused() {
    assertThrows(NotFoundException.class,
        () -> LxdTestHosts.one().pullFile(NAME, "/root/no-such-file", new CountingSink(), MIB));
    assertThrows(InvalidInputException.class, () -> LxdTestHosts.one().pullFile(NAME, "/etc", new CountingSink(), MIB));
    assertThrows(InvalidInputException.class,
        () -> LxdTestHosts.one().pullFile(NAME, "/root/../etc/passwd", new CountingSink(), MIB));
  }

  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count += len;
    }
  }
}

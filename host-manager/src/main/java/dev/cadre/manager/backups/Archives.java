package dev.cadre.manager.backups;

import dev.cadre.driver.HostDriver;
import dev.cadre.manager.operations.OperationFailedException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The backup directory: one archive per backup, {@code ID.tar.gz}, readable by the server's user only.
 * An archive is streamed from the member to {@code ID.tar.gz.part} with its sha256 computed on the way,
 * forced to disk, then renamed: a file without {@code .part} is always whole.
 */
final class Archives {
  private final Path dir;

  Archives(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  Path dir() {
    return dir;
  }

  Path file(String id) {
    return dir.resolve(id + ".tar.gz");
  }

  /** What was pulled: its size and sha256 (hex). */
  record Pulled(long bytes, String sha256) {}

  /** Streams {@code path} of {@code member} into the archive of backup {@code id}. */
  Pulled pull(HostDriver driver, String member, String path, String id, long maxBytes) {
    Path part = dir.resolve(id + ".tar.gz.part");
    Path done = file(id);
    try {
      createDir();
      MessageDigest digest = sha256();
      long bytes;
      try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(
          Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
          StandardOpenOption.WRITE), 256 * 1024), digest)) {
        bytes = driver.pullFile(member, path, out, maxBytes);
      }
      try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
      return new Pulled(bytes, HexFormat.of().formatHex(digest.digest()));
    } catch (FileAlreadyExistsException e) {
      throw new OperationFailedException("backup archive " + e.getFile() + " already exists");
    } catch (IOException e) {
      delete(part);
      throw new OperationFailedException("cannot write the archive in " + dir + ": " + e.getMessage());
    } catch (RuntimeException e) {
      delete(part);
      throw e;
    }
  }

  /** The sha256 (hex) of a stored archive, read in chunks. */
  String sha256Of(String id) {
    MessageDigest digest = sha256();
    byte[] chunk = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(file(id))) {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        digest.update(chunk, 0, n);
      }
    } catch (IOException e) {
      throw new OperationFailedException("cannot read the archive of backup " + id + ": " + e.getMessage());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  boolean exists(String id) {
    return Files.isRegularFile(file(id));
  }

  void delete(String id) {
    delete(file(id));
  }

  private void createDir() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.cadre.api;

import dev.cadre.cli.CliException;
import dev.cadre.cli.ExitCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The data dir holds the embedded database (services' secrets among it) and the admin token: only its owner
 * may read it. A new one is made 0700; an existing one open to group or others is refused, with the fix.
 */
final class DataDir {
  private static final Set<PosixFilePermission> OPEN = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private DataDir() {}

  static void prepare(Path dir) {
    try {
      if (!Files.exists(dir)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return;
      }
      if (!Files.isDirectory(dir)) {
        throw new CliException(ExitCodes.FAILED, "data dir " + dir + " is not a directory");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
      if (perms.stream().anyMatch(OPEN::contains)) {
        throw new CliException(ExitCodes.FAILED, "data dir " + dir + " is open to group or others ("
            + PosixFilePermissions.toString(perms) + "); it holds the database and the admin token."
            + " Fix it with: chmod 700 " + dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the data dir " + dir, e);
    }
  }

  /** The embedded database's files, made by H2 with the process umask: owner only (0600). */
  static void tightenDatabase(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "cadre*.db")) {
      for (Path f : files) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restrict the database files in " + dir, e);
    }
  }
}

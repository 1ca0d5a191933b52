package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cadre serve} keeps its data dir to its owner: made 0700, files 0600, an open one refused. */
class DataDirTest {
  @TempDir Path dir;

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aNewDataDirAndItsFilesAreTheOwnersOnly() throws Exception {
    Path data = dir.resolve("fresh");
    try (InProcessServer server = new InProcessServer(data)) {
      assertEquals(200, server.api.get("/v1").status());
      assertEquals("rwx------", mode(data));
      assertEquals("rw-------", mode(data.resolve("admin-token")));
      assertEquals("rw-------", mode(data.resolve("cadre.mv.db")));
    }
  }

  @Test
  void aDataDirOpenToOthersIsRefusedWithTheFix() throws Exception {
    Path data = Files.createDirectory(dir.resolve("open"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    CliException e = assertThrows(CliException.class, () -> new InProcessServer(data).close());
    assertTrue(e.getMessage().contains("chmod 700 " + data), e.getMessage());
    assertFalse(Files.exists(data.resolve("admin-token")), "nothing was written into it");

    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    try (InProcessServer server = new InProcessServer(data)) {
      assertEquals(200, server.api.get("/v1").status());
    }
  }
}

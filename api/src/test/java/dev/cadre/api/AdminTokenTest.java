package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.api.auth.AdminToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
  @TempDir Path dir;

  @Test
  void firstStartWritesAPrivateTokenAndKeepsOnlyItsHash() throws Exception {
    AdminToken token = AdminToken.loadOrCreate(dir.resolve("data"));
    assertTrue(token.created());
    Path file = dir.resolve("data/admin-token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String secret = Files.readString(file).trim();
    assertTrue(secret.length() >= 40, secret);
    String hash = Files.readString(dir.resolve("data/admin-token.sha256"));
    assertFalse(hash.contains(secret));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/admin-token.sha256"))));
    assertTrue(token.matches(secret));
    assertFalse(token.matches(secret + "x"));
    assertFalse(token.matches(""));
    assertFalse(token.matches(null));
  }

  @Test
  void laterStartsUseTheHashEvenWithoutTheTokenFile() throws Exception {
    AdminToken.loadOrCreate(dir);
    String secret = Files.readString(dir.resolve("admin-token")).trim();
    Files.delete(dir.resolve("admin-token"));
    AdminToken again = AdminToken.loadOrCreate(dir);
    assertFalse(again.created());
    assertTrue(again.matches(secret));
    assertFalse(Files.exists(dir.resolve("admin-token")), "a later start must not write a new token");
  }

  @Test
  void aStartInterruptedBeforeTheHashAdoptsTheToken() throws Exception {
    AdminToken.loadOrCreate(dir);
    String secret = Files.readString(dir.resolve("admin-token")).trim();
    Files.delete(dir.resolve("admin-token.sha256"));
    AdminToken again = AdminToken.loadOrCreate(dir);
    assertTrue(again.matches(secret));
  }

  @Test
  void eachDataDirGetsItsOwnToken() throws Exception {
    AdminToken.loadOrCreate(dir.resolve("a"));
    AdminToken b = AdminToken.loadOrCreate(dir.resolve("b"));
    assertFalse(b.matches(Files.readString(dir.resolve("a/admin-token")).trim()));
  }
}

package dev.cadre.api.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The admin bearer token. The server keeps only its SHA-256 ({@code admin-token.sha256}); the token
 * itself is written once, mode 0600, to {@code admin-token} for the operator and the CLI. Comparing
 * hashes with {@link MessageDigest#isEqual} keeps the check constant-time.
 */
public final class AdminToken {
  public static final String TOKEN_FILE = "admin-token";
  public static final String HASH_FILE = "admin-token.sha256";

  /** Replaced by {@link #rotate()}: a request checked after it sees the new hash. */
  private volatile byte[] hash;
  private final Path tokenFile;
  private final boolean created;

  private AdminToken(byte[] hash, Path tokenFile, boolean created) {
    this.hash = hash.clone();
    this.tokenFile = tokenFile;
    this.created = created;
  }

  /** The hash on disk if there is one; otherwise a new token (or the token file of an interrupted first start). */
  public static AdminToken loadOrCreate(Path dataDir) {
    try {
      if (!Files.isDirectory(dataDir)) {
        // only its owner may read the data dir: it holds the database and the token
        Path parent = dataDir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.createDirectory(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path hashFile = dataDir.resolve(HASH_FILE);
      Path tokenFile = dataDir.resolve(TOKEN_FILE);
      if (Files.exists(hashFile)) {
        String hex = Files.readString(hashFile, StandardCharsets.US_ASCII).trim();
        return new AdminToken(HexFormat.of().parseHex(hex), tokenFile, false);
      }
      boolean created = false;
      String token;
      if (Files.exists(tokenFile)) {
        token = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
      } else {
        token = generate();
        writePrivate(tokenFile, token + "\n");
        created = true;
      }
      // The token file is written before the hash: a crash in between leaves a token the next start adopts.
      byte[] hash = sha256(token);
      writePrivate(hashFile, HexFormat.of().formatHex(hash) + "\n");
      return new AdminToken(hash, tokenFile, created);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the admin token in " + dataDir, e);
    }
  }

  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(hash, sha256(presented));
  }

  /**
   * A new admin token: written to the token file (mode 0600), then its hash, then the old token stops
   * working. Answers the new token, which is not kept anywhere else. Other servers with their own data dir
   * keep their own admin token.
   */
  public synchronized String rotate() {
    String token = generate();
    byte[] next = sha256(token);
    try {
      writePrivate(tokenFile, token + "\n");
      writePrivate(tokenFile.resolveSibling(HASH_FILE), HexFormat.of().formatHex(next) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a new admin token to " + tokenFile, e);
    }
    hash = next;
    return token;
  }

  public Path tokenFile() {
    return tokenFile;
  }

  /** True when this start generated the token. */
  public boolean created() {
    return created;
  }

  public static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return "cadre-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Written to a 0600 temporary file then moved, so no reader ever sees it partial or world-readable. */
  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new IOException("concurrent start writing " + tmp, e);
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

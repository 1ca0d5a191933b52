package dev.cadre.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the server is and which token to send: options first, then {@code $CADRE_URL} /
 * {@code $CADRE_TOKEN}, then the defaults of API.md. Mixed into every command that talks to the server.
 */
public class Connection {
  public static final String DEFAULT_URL = "http://127.0.0.1:7440";

  @Option(names = "--url", paramLabel = "URL", description = "server URL (default: $CADRE_URL, else " + DEFAULT_URL + ")")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token (default: $CADRE_TOKEN, else the admin-token file)")
  String token;

  @Option(names = "--fingerprint", paramLabel = "SHA256",
      description = "trust the server's TLS certificate with this SHA-256 fingerprint, as 'cadre serve' prints it"
          + " (default: $CADRE_FINGERPRINT, else the system's CAs)")
  String fingerprint;

  @Option(names = "--json", description = "print the server's JSON answer instead of a table")
  boolean json;

  Map<String, String> env = System.getenv();

  public boolean json() {
    return json;
  }

  public String url() {
    String chosen = url != null ? url : env.getOrDefault("CADRE_URL", DEFAULT_URL);
    return chosen.endsWith("/") ? chosen.substring(0, chosen.length() - 1) : chosen;
  }

  /** The token file the CLI reads when no token is given. */
  public Path tokenFile() {
    String dataDir = env.get("CADRE_DATA_DIR");
    return (dataDir == null || dataDir.isEmpty() ? Path.of(".cadre") : Path.of(dataDir)).resolve("admin-token");
  }

  /** The token, or null when none is configured (the server will answer 401 and we say where we looked). */
  public String token() {
    if (token != null) {
      return token;
    }
    String fromEnv = env.get("CADRE_TOKEN");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.trim();
    }
    Path file = tokenFile();
    try {
      return Files.isReadable(file) ? Files.readString(file, StandardCharsets.US_ASCII).trim() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The pinned certificate fingerprint, or null (https then trusts the system's CAs). */
  public String fingerprint() {
    String chosen = fingerprint != null ? fingerprint : env.get("CADRE_FINGERPRINT");
    return chosen == null || chosen.isBlank() ? null : chosen;
  }

  public CadreClient client() {
    return new CadreClient(url(), token(), tokenFile(), fingerprint());
  }
}

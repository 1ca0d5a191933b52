package dev.cadre.manager.store;

import java.time.Instant;
import java.util.List;

/**
 * An API token as stored: never the token itself, only its SHA-256 ({@code hash}, hex). {@code apps} null:
 * every app; otherwise the only apps the token sees. {@code expires} null: never.
 */
public record TokenRecord(String id, String name, String role, List<String> apps, Instant expires, Instant created,
    String hash) {
  public TokenRecord {
    apps = apps == null ? null : List.copyOf(apps);
  }

  public boolean expiredAt(Instant now) {
    return expires != null && !now.isBefore(expires);
  }
}

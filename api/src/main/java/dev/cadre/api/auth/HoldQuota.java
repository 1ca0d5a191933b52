package dev.cadre.api.auth;

import dev.cadre.api.http.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests that hold a connection open (operation waits, event streams) one token may have at once
 * on this server: a token holder cannot tie up the server's connections and threads for everyone else.
 * Counted per token name; a request over the limit is refused at once with 429.
 */
public final class HoldQuota {
  public static final int DEFAULT_PER_TOKEN = 16;
  private final int perToken;
  private final Map<String, Integer> held = new ConcurrentHashMap<>();

  public HoldQuota(int perToken) {
    if (perToken < 1) {
      throw new IllegalArgumentException("perToken must be positive");
    }
    this.perToken = perToken;
  }

  /** Takes one of the caller's places, or refuses with 429; every success is matched by one {@link #release}. */
  public void acquire(Caller caller) {
    boolean[] taken = {false};
    held.compute(caller.name(), (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= perToken) {
        return now;
      }
      taken[0] = true;
      return now + 1;
    });
    if (!taken[0]) {
      throw new ApiException(429, "too_many_requests", "token '" + caller.name() + "' already holds " + perToken
          + " open waits and event streams on this server (the most one token may); close one first");
    }
  }

  public void release(Caller caller) {
    held.computeIfPresent(caller.name(), (k, n) -> n <= 1 ? null : n - 1);
  }

  /** What {@code name} holds now (tests). */
  public int held(String name) {
    return held.getOrDefault(name, 0);
  }
}

package dev.cadre.manager;

import java.time.Instant;
import java.util.Map;

/** {@code type}: operation, member, host, health; {@code subject} e.g. {@code apps/shop/web/web-1}. */
public record EventView(long id, String type, String subject, Map<String, Object> data, Instant at) {
  public EventView {
    data = Map.copyOf(data);
  }
}

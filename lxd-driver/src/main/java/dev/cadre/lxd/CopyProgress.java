package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes a copy has sent, read from the metadata of LXD's migration operation, told to a listener as they
 * grow. LXD reports each volume it sends (the snapshots first, then the instance) under a key of its kind
 * ({@code fs_progress}, {@code block_progress}) as "name: 1.20MB (60B/s)", counting from zero again for each
 * volume and in decimal units; the total here adds the volumes up, so it never goes down.
 */
final class CopyProgress {
  /** The listener hears at most this often while the copy runs (the figure it ends with comes anyway). */
  static final long INTERVAL_NANOS = 500_000_000L;
  /** "name: 1.20MB (60B/s)" or, without a name, "1.20MB (60B/s)": the name and the bytes so far. */
  private static final Pattern FIGURE = Pattern.compile("^(?:(.*): )?(\\d+(?:\\.\\d+)?)\\s*([kKMGTPE]?i?B)\\b");

  private final LongConsumer listener;
  private final LongSupplier nanos;
  /** Per key: the volume it names now and what it has sent of that volume. */
  private final Map<String, Volume> volumes = new HashMap<>();
  /** Bytes of volumes that are done (a key moved on to another volume). */
  private long finished;
  private long told = -1;
  private long toldAt;

  private record Volume(String name, long bytes) {}

  CopyProgress(LongConsumer listener, LongSupplier nanos) {
    this.listener = listener;
    this.nanos = nanos;
  }

  /** For a copy: the system's monotonic clock. */
  CopyProgress(LongConsumer listener) {
    this(listener, System::nanoTime);
  }

  /** Reads what the copy reports while it runs; the listener hears a larger total unless it heard one lately. */
  void read(JsonNode metadata) {
    long total = total(metadata);
    if (told < 0 || nanos.getAsLong() - toldAt >= INTERVAL_NANOS) {
      tell(total);
    }
  }

  /** Reads what the copy reports as it ended; the listener hears a larger total at once. */
  void end(JsonNode metadata) {
    tell(total(metadata));
  }

  /** The bytes sent so far, every volume's together. */
  long total(JsonNode metadata) {
    for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().endsWith("_progress") || !e.getValue().isTextual()) {
        continue;
      }
      Matcher m = FIGURE.matcher(e.getValue().asText());
      if (!m.find()) {
        continue;
      }
      Volume now = new Volume(m.group(1) == null ? "" : m.group(1), bytes(m.group(2), m.group(3)));
      Volume before = volumes.put(e.getKey(), now);
      if (before != null && (!before.name().equals(now.name()) || now.bytes() < before.bytes())) {
        finished += before.bytes(); // the key moved on to the next volume
      }
    }
    long total = finished;
    for (Volume v : volumes.values()) {
      total += v.bytes();
    }
    return total;
  }

  private void tell(long total) {
    if (total <= told) {
      return;
    }
    told = total;
    toldAt = nanos.getAsLong();
    try {
      listener.accept(total);
    } catch (RuntimeException ignored) {
      // the listener's trouble (a store that does not answer) must not fail the copy
    }
  }

  /** LXD's figure in bytes: "160B", "1.20MB" (decimal, as LXD writes it), "3.5MiB" (binary, should it). */
  static long bytes(String number, String unit) {
    String u = unit.toUpperCase(Locale.ROOT);
    int power = "BKMGTPE".indexOf(u.charAt(0));
    double base = u.contains("I") ? 1024 : 1000;
    return Math.round(Double.parseDouble(number) * Math.pow(base, Math.max(0, power)));
  }
}

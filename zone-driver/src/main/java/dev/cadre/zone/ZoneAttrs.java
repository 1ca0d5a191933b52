package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instance metadata stored as zonecfg {@code attr} resources named {@code cadre.<key>} of type string.
 *
 * <p>zonecfg's lexer (zonecfg_lex.l) has no escape character: a quoted value is {@code "[^"\n]*"}, so
 * a double quote or a newline cannot be written at all. Values made of printable characters without
 * {@code "} are stored as they are (and written quoted, which makes ';', '=', spaces, '#' and
 * brackets plain data); any other value, and any value that happens to start with the marker, is
 * stored as {@code b64:} and its UTF-8 bytes in base64, which reads back exactly.
 *
 * <p>A stored value must fit zonecfg's token buffer: illumos lex keeps a token in YYLMAX = BUFSIZ =
 * 1024 bytes (quotes included), below libzonecfg's 2048-byte attr value. Longer values are refused
 * before any command runs.
 */
final class ZoneAttrs {
  static final String PREFIX = "cadre.";
  static final String ENCODED = "b64:";
  static final int MAX_STORED_BYTES = 1000;

  private ZoneAttrs() {}

  /** The form written into the zonecfg script (without the surrounding quotes). */
  static String store(String key, String value) {
    String stored = plain(value) ? value : ENCODED + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    if (stored.getBytes(StandardCharsets.UTF_8).length > MAX_STORED_BYTES) {
      throw new InvalidInputException(null, "metadata value for '" + key + "' is too long for a zone attr: at most "
          + MAX_STORED_BYTES + " bytes as stored (values with quotes, control characters or newlines are stored base64-encoded)");
    }
    return stored;
  }

  static String load(String stored) {
    if (stored.startsWith(ENCODED)) {
      try {
        return new String(Base64.getDecoder().decode(stored.substring(ENCODED.length())), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return stored; // set by hand outside cadre: show what is there rather than fail the whole read
      }
    }
    return stored;
  }

  /** The user metadata among a zone's attrs. */
  static Map<String, String> metadata(Map<String, String> attrs) {
    Map<String, String> metadata = new TreeMap<>();
    attrs.forEach((name, value) -> {
      if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
        metadata.put(name.substring(PREFIX.length()), load(value));
      }
    });
    return metadata;
  }

  /**
   * Stored as is: non-empty (zonecfg refuses an attr without a value), no '"', no control character,
   * and not starting with the marker.
   */
  private static boolean plain(String value) {
    if (value.isEmpty() || value.startsWith(ENCODED)) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        return false;
      }
    }
    return true;
  }
}

package dev.cadre.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Names typed by the user go into URL paths encoded, so "a/b" or ".." stay one segment the server refuses. */
final class Names {
  private Names() {}

  static String path(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, what + " name is empty");
    }
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    // "." and ".." are not encoded by URLEncoder but would be resolved away as path segments.
    return encoded.replace(".", "%2E");
  }
}

package dev.cadre.zone;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the "parsable" output of dladm and ipadm ({@code -p -o FIELD,...}, printed by libofmt):
 * fields separated by ':', with a literal ':' printed as {@code \:} and a literal backslash as
 * {@code \\} (dladm(1M), "-p, --parsable"). libofmt escapes only when more than one field is asked
 * for, so callers always ask for at least two.
 */
final class Parsable {
  private Parsable() {}

  static List<List<String>> parse(String output) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (!line.isEmpty()) {
        rows.add(fields(line));
      }
    }
    return rows;
  }

  static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        field.append(line.charAt(++i));
      } else if (c == ':') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}

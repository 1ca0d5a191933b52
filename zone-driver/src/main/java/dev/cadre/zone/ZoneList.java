package dev.cadre.zone;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code zoneadm list -cp}: one zone per line,
 * {@code zoneid:zonename:state:zonepath:uuid:brand:ip-type}, as zoneadm(1M) documents it. zoneadm's
 * zone_print() escapes only the colons of the zonepath (as {@code \:}), the one field that can hold
 * them; zone names, states, uuids and brands cannot contain a colon. SmartOS appends the zone's
 * debug id, and future versions may append more: fields after ip-type are ignored. Old versions
 * stopped after the zonepath: the missing fields are empty.
 */
final class ZoneList {
  private ZoneList() {}

  static List<ZoneEntry> parse(String output) {
    List<ZoneEntry> zones = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (!line.isBlank()) {
        zones.add(parseLine(line.stripTrailing()));
      }
    }
    return zones;
  }

  static ZoneEntry parseLine(String line) {
    int idEnd = line.indexOf(':');
    int nameEnd = idEnd < 0 ? -1 : line.indexOf(':', idEnd + 1);
    int stateEnd = nameEnd < 0 ? -1 : line.indexOf(':', nameEnd + 1);
    if (stateEnd < 0) {
      throw new IllegalArgumentException("not a 'zoneadm list -p' line: " + line);
    }
    StringBuilder path = new StringBuilder();
    int i = stateEnd + 1;
    for (; i < line.length() && line.charAt(i) != ':'; i++) {
      if (line.charAt(i) == '\\' && i + 1 < line.length() && line.charAt(i + 1) == ':') {
        i++;
      }
      path.append(line.charAt(i));
    }
    String[] rest = i < line.length() ? line.substring(i + 1).split(":", -1) : new String[0];
    return new ZoneEntry(line.substring(0, idEnd), line.substring(idEnd + 1, nameEnd),
        line.substring(nameEnd + 1, stateEnd), path.toString(),
        field(rest, 0), field(rest, 1), field(rest, 2));
  }

  private static String field(String[] fields, int i) {
    return i < fields.length ? fields[i] : "";
  }
}

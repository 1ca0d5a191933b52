package dev.cadre.zone;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code zonecfg -z NAME info}. Global properties print as {@code name: value} at the start of
 * a line; each resource prints its type alone ({@code net:}) followed by tab-indented
 * {@code property: value} lines; a property that is not set prints as {@code property not specified};
 * zonecfg.c's output_prop() wraps a value in double quotes when (and only when) it contains a space.
 * Lines cadre does not need (rctls, aliased rctls in brackets, fs, dataset...) are skipped.
 *
 * <p>cadre reads {@code info} rather than {@code export} because export's quoteit() quotes only values
 * with spaces, so a value holding ';' would not even read back as zonecfg input.
 */
final class ZonecfgInfo {
  private final Map<String, String> global = new LinkedHashMap<>();
  private final List<ZoneNet> nets = new ArrayList<>();
  private final Map<String, String> attrs = new LinkedHashMap<>();
  private String cappedMemory;
  private String cappedCpus;
  private String resource;
  private Map<String, String> props = new LinkedHashMap<>();

  private ZonecfgInfo() {}

  static ZoneConfig parse(String output) {
    ZonecfgInfo info = new ZonecfgInfo();
    for (String line : output.split("\n")) {
      info.line(line);
    }
    info.closeResource();
    return new ZoneConfig(info.global.get("zonename"), info.global.get("zonepath"), info.global.get("brand"),
        info.global.get("ip-type"), info.nets, info.cappedMemory, info.cappedCpus, info.attrs);
  }

  private void line(String line) {
    if (line.isBlank()) {
      return;
    }
    if (line.startsWith("\t") || line.startsWith(" ")) {
      if (resource != null) {
        property(line.strip(), props);
      }
      return;
    }
    closeResource();
    // "net:" heads a resource; "pool: " (an empty global property) keeps its space after the colon
    if (line.endsWith(":") && !line.contains(" ")) {
      resource = line.substring(0, line.length() - 1);
    } else {
      property(line.strip(), global);
    }
  }

  private void closeResource() {
    if (resource == null) {
      return;
    }
    switch (resource) {
      case "net" -> nets.add(new ZoneNet(props.get("physical"), props.get("allowed-address"), props.get("defrouter")));
      case "attr" -> {
        if (props.get("name") != null) {
          attrs.put(props.get("name"), props.getOrDefault("value", ""));
        }
      }
      case "capped-memory" -> cappedMemory = props.get("physical");
      case "capped-cpu" -> cappedCpus = props.get("ncpus");
      default -> { }
    }
    resource = null;
    props = new LinkedHashMap<>();
  }

  /** {@code name: value}, {@code [name: value]} (capped-cpu, aliased rctls), or {@code name not specified}. */
  private static void property(String line, Map<String, String> into) {
    String text = line;
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    int colon = text.indexOf(": ");
    if (colon > 0) {
      into.put(text.substring(0, colon), unquote(text.substring(colon + 2)));
    } else if (text.endsWith(":")) {
      into.put(text.substring(0, text.length() - 1), ""); // "hostid: " lost its trailing space to strip()
    }
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}

package dev.cadre.zone;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The semantic half of the zonecfg checker: which property belongs to which scope, what values each
 * takes, what a resource needs before {@code end}, and what a creation script must contain. Covers
 * the properties zonecfg(1M) documents for the resources cadre uses.
 */
final class ZonecfgRules {
  private static final Map<String, Pattern> GLOBAL = Map.of(
      "zonepath", Pattern.compile("/[^\\s]*"),
      "brand", Pattern.compile("[a-z0-9][a-z0-9_-]*"),
      "autoboot", Pattern.compile("true|false"),
      "ip-type", Pattern.compile("shared|exclusive"),
      "limitpriv", Pattern.compile("[a-z_,!-]+"));
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern SIZE = Pattern.compile("\\d+(\\.\\d+)?[KkMmGgTt]?");
  private static final Map<String, Map<String, Pattern>> RESOURCES = Map.of(
      "net", Map.of(
          "physical", Pattern.compile("[A-Za-z_][A-Za-z0-9_]*[0-9]"),
          "allowed-address", Pattern.compile(IPV4 + "/([12]?\\d|3[0-2])"),
          "defrouter", IPV4,
          "address", Pattern.compile(IPV4 + "(/\\d+)?")),
      "capped-memory", Map.of("physical", SIZE, "swap", SIZE),
      "capped-cpu", Map.of("ncpus", Pattern.compile("\\d+(\\.\\d+)?")),
      "attr", Map.of(
          "name", Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*"),
          "type", Pattern.compile("string|int|uint|boolean"),
          "value", Pattern.compile("(?s).+")));

  private final List<String> problems = new ArrayList<>();
  private final Map<String, String> globals = new LinkedHashMap<>();
  private final Set<String> singletons = new HashSet<>();
  private final Set<String> attrNames = new HashSet<>();
  private final List<Map<String, String>> nets = new ArrayList<>();

  List<String> check(List<ZonecfgSyntax.Command> commands) {
    if (commands.isEmpty() || !commands.get(0).verb().equals("create")) {
      problem(commands.isEmpty() ? 1 : commands.get(0).line(), "a creation script starts with 'create'");
    }
    String resource = null;
    int opened = 0;
    Map<String, String> props = new LinkedHashMap<>();
    for (ZonecfgSyntax.Command c : commands) {
      List<String> a = c.args();
      switch (c.verb()) {
        case "create" -> {
          if (!(a.equals(List.of("-b")) || a.isEmpty() || (a.size() == 2 && a.get(0).equals("-t")))) {
            problem(c.line(), "create takes -b or -t TEMPLATE, got " + a);
          }
        }
        case "set" -> {
          if (a.size() != 3 || !a.get(1).equals("=")) {
            problem(c.line(), "set needs property=value, got " + a);
            continue;
          }
          Map<String, Pattern> allowed = resource == null ? GLOBAL : RESOURCES.get(resource);
          Pattern valid = allowed.get(a.get(0));
          if (valid == null) {
            problem(c.line(), "property '" + a.get(0) + "' is not valid in " + (resource == null ? "the global scope" : resource));
          } else if (!valid.matcher(a.get(2)).matches()) {
            problem(c.line(), "invalid value '" + a.get(2) + "' for " + a.get(0));
          }
          (resource == null ? globals : props).put(a.get(0), a.get(2));
        }
        case "add" -> {
          if (resource != null) {
            problem(c.line(), "'add " + a + "' inside a resource: cadre adds no list properties");
          } else if (a.size() != 1 || !RESOURCES.containsKey(a.get(0))) {
            problem(c.line(), "unknown resource " + a);
          } else {
            resource = a.get(0);
            opened = c.line();
            props = new LinkedHashMap<>();
          }
        }
        case "end" -> {
          if (resource == null) {
            problem(c.line(), "'end' outside a resource");
          } else {
            endResource(c.line(), resource, props);
            resource = null;
          }
        }
        case "commit", "verify" -> {
          if (resource != null) {
            problem(c.line(), "'" + c.verb() + "' inside the " + resource + " resource opened on line " + opened);
          }
        }
        default -> problem(c.line(), "'" + c.verb() + "' does not belong in a creation script");
      }
    }
    int last = commands.isEmpty() ? 1 : commands.get(commands.size() - 1).line();
    if (resource != null) {
      problem(last, "resource " + resource + " opened on line " + opened + " is never ended");
    }
    if (commands.isEmpty() || !commands.get(commands.size() - 1).verb().equals("commit")) {
      problem(last, "the script must end with 'commit'");
    }
    for (String required : List.of("zonepath", "brand")) {
      if (!globals.containsKey(required)) {
        problem(last, required + " is never set");
      }
    }
    boolean exclusive = "exclusive".equals(globals.get("ip-type"));
    for (Map<String, String> net : nets) {
      if (exclusive && net.containsKey("address")) {
        problem(last, "net 'address' is for shared-IP zones; an exclusive zone uses allowed-address");
      }
      if (!exclusive && (net.containsKey("allowed-address") || net.containsKey("defrouter"))) {
        problem(last, "allowed-address and defrouter need ip-type=exclusive");
      }
    }
    return problems;
  }

  private void endResource(int line, String resource, Map<String, String> props) {
    switch (resource) {
      case "net" -> {
        if (!props.containsKey("physical")) {
          problem(line, "net needs physical");
        }
        if (props.containsKey("defrouter") && !props.containsKey("allowed-address")) {
          problem(line, "defrouter needs allowed-address");
        }
        nets.add(props);
      }
      case "attr" -> {
        for (String p : List.of("name", "type", "value")) {
          if (!props.containsKey(p) || props.get(p).isEmpty()) {
            problem(line, "attr needs " + p);
          }
        }
        if (!attrNames.add(String.valueOf(props.get("name")))) {
          problem(line, "attr " + props.get("name") + " added twice");
        }
      }
      case "capped-cpu" -> {
        if (!props.containsKey("ncpus")) {
          problem(line, "capped-cpu needs ncpus");
        }
      }
      case "capped-memory" -> {
        if (props.isEmpty()) {
          problem(line, "capped-memory needs physical or swap");
        }
      }
      default -> { }
    }
    if ((resource.startsWith("capped-")) && !singletons.add(resource)) {
      problem(line, resource + " can be added only once");
    }
  }

  private void problem(int line, String message) {
    problems.add("line " + line + ": " + message);
  }
}

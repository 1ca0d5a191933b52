package dev.cadre.templates;

import dev.cadre.driver.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The environment cadre gives every hook (the README's table): who this member is, who the others are,
 * the service's config and secrets. Values are checked so that a hook can use them in a shell without
 * surprises: no newlines, no NUL, names and addresses in their plain forms.
 */
public final class HookEnv {
  private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  /** One member of the service as the others see it. */
  public record Peer(String name, String ip, String role) {
    public Peer {
      name = require(NAME, name, "member name");
      ip = require(IPV4, ip, "member address");
      role = require(NAME, role, "member role");
    }
  }

  /**
   * A service this member's service depends on, as its hooks see it: the address to use (the service
   * address when it has one, else its first member's), the template's first port (0 when none), every
   * member's address, and its secrets.
   */
  public record Dependency(String service, String address, int port, List<String> members, Map<String, String> secrets) {
    public Dependency {
      service = require(NAME, service, "dependency name");
      if (address != null) {
        address = require(IPV4, address, "dependency address");
      }
      members = members == null ? List.of() : members.stream().map(m -> require(IPV4, m, "dependency member address"))
          .toList();
      secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }

    /** The part of a variable's name for this dependency: upper-cased, '-' as '_'. */
    public String key() {
      return service.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }
  }

  private HookEnv() {}

  /**
   * The variables for one member, with what each dependency of its service looks like:
   * {@code CADRE_DEPENDS_ON} (their names), and per dependency {@code CADRE_DEP_<NAME>_ADDRESS},
   * {@code _PORT}, {@code _MEMBERS} (space-separated addresses) and {@code _SECRET_<KEY>}.
   */
  public static Map<String, String> of(String app, String service, Peer member, int networkPrefix, String gateway,
      List<Peer> members, Map<String, String> config, Map<String, String> secrets, List<Dependency> dependencies) {
    Map<String, String> env = new TreeMap<>(of(app, service, member, networkPrefix, gateway, members, config, secrets));
    List<Dependency> deps = dependencies == null ? List.of() : dependencies;
    env.put("CADRE_DEPENDS_ON", deps.stream().map(Dependency::service).collect(Collectors.joining(" ")));
    for (Dependency d : deps) {
      String prefix = "CADRE_DEP_" + d.key() + "_";
      if (d.address() != null) {
        env.put(prefix + "ADDRESS", d.address());
      }
      env.put(prefix + "PORT", Integer.toString(d.port()));
      env.put(prefix + "MEMBERS", String.join(" ", d.members()));
      put(env, prefix + "SECRET_", d.secrets(), "secret of " + d.service());
    }
    return Map.copyOf(env);
  }

  /**
   * The variables for one member.
   *
   * @param config the service's config; keys are upper-cased and must then match {@code [A-Z][A-Z0-9_]*}
   * @param secrets the service's secrets, same key rule
   */
  public static Map<String, String> of(String app, String service, Peer member, int networkPrefix, String gateway,
      List<Peer> members, Map<String, String> config, Map<String, String> secrets) {
    Objects.requireNonNull(member, "member");
    if (networkPrefix < 1 || networkPrefix > 32) {
      throw new InvalidInputException(null, "network prefix must be 1-32, got " + networkPrefix);
    }
    Map<String, String> env = new TreeMap<>();
    env.put("CADRE_APP", require(NAME, app, "app name"));
    env.put("CADRE_SERVICE", require(NAME, service, "service name"));
    env.put("CADRE_MEMBER", member.name());
    env.put("CADRE_MEMBER_IP", member.ip());
    env.put("CADRE_MEMBER_ROLE", member.role());
    env.put("CADRE_NETWORK_PREFIX", Integer.toString(networkPrefix));
    if (gateway != null) {
      env.put("CADRE_GATEWAY", require(IPV4, gateway, "gateway"));
    }
    env.put("CADRE_MEMBERS", (members == null ? List.<Peer>of() : members).stream()
        .map(p -> p.name() + "=" + p.ip() + "=" + p.role()).collect(Collectors.joining(" ")));
    put(env, "CADRE_CONFIG_", config, "config");
    put(env, "CADRE_SECRET_", secrets, "secret");
    return Map.copyOf(env);
  }

  /** The variable name for a config or secret key: upper-cased, {@code [A-Z][A-Z0-9_]*}. */
  public static String key(String key) {
    String upper = key == null ? null : key.toUpperCase(Locale.ROOT);
    return require(KEY, upper, "config or secret key");
  }

  private static void put(Map<String, String> env, String prefix, Map<String, String> values, String what) {
    if (values == null) {
      return;
    }
    values.forEach((k, v) -> {
      if (v == null || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\0') >= 0 || v.length() > 4096) {
        throw new InvalidInputException(null, what + " '" + k + "' must be at most 4096 characters on one line");
      }
      if (env.put(prefix + key(k), v) != null) {
        throw new InvalidInputException(null, what + " keys '" + k + "' and another differ only in case");
      }
    });
  }

  private static String require(Pattern p, String value, String what) {
    if (value == null || !p.matcher(value).matches()) {
      throw new InvalidInputException(null, "invalid " + what + ": " + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }
}

package dev.cadre.zone;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens illumos zone hosts: kind {@code "zone"}.
 *
 * <p>Endpoint: {@code ssh://USER@HOST[:PORT]} (IPv6 as {@code [ADDRESS]}) runs the zone tools in that
 * global zone through the system {@code ssh} client, never prompting (BatchMode); {@code local://}
 * runs them on this machine, for cadre running in the global zone it manages.
 *
 * <p>Options come in the options map or as the endpoint's query,
 * {@code ssh://root@gz1?networks=e1000g0=10.77.0.1/24&image.base=sparse} (percent-encoded where
 * needed): the endpoint is what the server stores and hands back on every open, so options given
 * there survive a restart. All are optional; unknown names are refused so that a typo is not silently
 * ignored, and so is {@code trust}, which has no meaning for ssh:
 * <dl>
 *   <dt>{@code networks}</dt><dd>{@code LINK=GATEWAY/PREFIX[,LINK=GATEWAY/PREFIX...]}: the physical
 *       links or etherstubs zones may join and the subnet cadre's addresses live in there, e.g.
 *       {@code e1000g0=10.77.0.1/24}. illumos links carry no subnet, so without an entry a zone cannot
 *       get a NIC on that link.</dd>
 *   <dt>{@code network} and {@code cidr}</dt><dd>one more entry of {@code networks}, as a host
 *       registration names it: {@code network=e1000g0}, {@code cidr=10.77.0.1/24}; {@code network}
 *       alone must be listed in {@code networks}.</dd>
 *   <dt>{@code image.ALIAS}</dt><dd>{@code BRAND [INSTALL-ARG...]}: what image ALIAS means on this
 *       host, e.g. {@code image.base=sparse}, {@code image.base64=joyent-minimal -t UUID}; the
 *       arguments (split at blanks) are appended to {@code zoneadm -z NAME install} as arguments.</dd>
 *   <dt>{@code zonepath-root}, {@code zones-dataset}</dt><dd>zones live at ROOT/NAME on dataset
 *       DATASET/NAME; defaults {@code /zones} and {@code zones}.</dd>
 *   <dt>{@code image-dir}, {@code tarball-brand}</dt><dd>where imported image tarballs are kept
 *       (default ROOT/cadre-images) and the brand installing them (default {@code lx}; {@code none}
 *       refuses tarball imports).</dd>
 *   <dt>{@code command-timeout}, {@code install-timeout}</dt><dd>ISO-8601 durations ({@code PT2M}) or
 *       seconds; defaults 2 and 30 minutes.</dd>
 *   <dt>{@code identity}</dt><dd>private key file for ssh (else ssh's own configuration and agent).</dd>
 *   <dt>{@code known-hosts}</dt><dd>known_hosts file checked strictly (else ssh's own).</dd>
 *   <dt>{@code host-key}</dt><dd>{@code strict} (default: an unknown host key fails as unauthorized)
 *       or {@code accept-new}: trust on first contact, the key is then pinned in {@code known-hosts},
 *       or in {@code STATEDIR/zone/known_hosts} when that option is not given.</dd>
 *   <dt>{@code ssh}</dt><dd>the ssh client program (default {@code ssh} on the PATH).</dd>
 * </dl>
 *
 * <p>Opening connects to nothing: a host that cannot be reached shows on the first call.
 */
public final class ZoneDriverFactory implements HostDriverFactory {
  private static final String SSH = "ssh://";
  private static final String LOCAL = "local://";
  private static final String IMAGE = "image.";
  private static final Set<String> OPTIONS = Set.of("networks", "network", "cidr", "zonepath-root", "zones-dataset",
      "image-dir", "tarball-brand", "command-timeout", "install-timeout", "identity", "known-hosts", "host-key", "ssh");

  @Override
  public String kind() {
    return "zone";
  }

  @Override
  public HostDriver open(String hostName, String endpoint, Map<String, String> options, Path stateDir) {
    if (endpoint == null) {
      throw new InvalidInputException(hostName, "a zone host needs an endpoint: ssh://user@host[:port] or local://");
    }
    int query = endpoint.indexOf('?');
    String address = query < 0 ? endpoint : endpoint.substring(0, query);
    Map<String, String> opts = new HashMap<>(options == null ? Map.of() : options);
    if (query >= 0) {
      queryOptions(hostName, endpoint.substring(query + 1), opts);
    }
    if (opts.containsKey("trust")) {
      throw new InvalidInputException(hostName, "zone hosts take no trust password: cadre logs in with an ssh key "
          + "(option identity) and checks the host key (options known-hosts, host-key=accept-new)");
    }
    for (String key : opts.keySet()) {
      if (!OPTIONS.contains(key) && !(key.startsWith(IMAGE) && key.length() > IMAGE.length())) {
        throw new InvalidInputException(hostName, "unknown zone host option '" + key + "'; known: "
            + new TreeSet<>(OPTIONS) + " and image.ALIAS");
      }
    }
    ZoneHostConfig config = config(hostName, opts);
    CommandRunner runner = runner(hostName, address, opts, stateDir);
    return new ZoneHostDriver(runner, config);
  }

  private static CommandRunner runner(String host, String endpoint, Map<String, String> opts, Path stateDir) {
    if (LOCAL.equals(endpoint)) {
      for (String sshOnly : List.of("identity", "known-hosts", "host-key", "ssh")) {
        if (opts.containsKey(sshOnly)) {
          throw new InvalidInputException(host, "option '" + sshOnly + "' needs an ssh:// endpoint");
        }
      }
      return new LocalCommandRunner(host);
    }
    if (!endpoint.startsWith(SSH)) {
      throw new InvalidInputException(host, "a zone host endpoint is ssh://user@host[:port] or local://, got '" + endpoint + "'");
    }
    SshTarget target = SshTarget.parse(endpoint.substring(SSH.length()));
    return new SshCommandRunner(host, target, ssh(host, opts, stateDir));
  }

  /** {@code key=value&key=value}, percent-encoded; a key given twice (here or in the options) is refused. */
  private static void queryOptions(String host, String query, Map<String, String> into) {
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException(host, "endpoint options are key=value pairs joined by '&', got '" + pair + "'");
      }
      String key = decode(host, pair.substring(0, eq));
      if (into.put(key, decode(host, pair.substring(eq + 1))) != null) {
        throw new InvalidInputException(host, "option '" + key + "' is given twice");
      }
    }
  }

  private static String decode(String host, String text) {
    try {
      // URLDecoder reads '+' as a space, which a URI query does not: keep it a plus
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(host, "bad percent-encoding in endpoint option '" + text + "'");
    }
  }

  private static SshSettings ssh(String host, Map<String, String> opts, Path stateDir) {
    SshSettings settings = SshSettings.DEFAULT;
    if (opts.containsKey("ssh")) {
      settings = settings.withProgram(opts.get("ssh"));
    }
    if (opts.containsKey("identity")) {
      settings = settings.withIdentity(absolute(host, "identity", opts.get("identity")));
    }
    String policy = opts.getOrDefault("host-key", "strict");
    if (!policy.equals("strict") && !policy.equals("accept-new")) {
      throw new InvalidInputException(host, "option host-key is 'strict' or 'accept-new', got '" + policy + "'");
    }
    boolean acceptNew = policy.equals("accept-new");
    Path knownHosts = opts.containsKey("known-hosts") ? absolute(host, "known-hosts", opts.get("known-hosts")) : null;
    if (knownHosts == null && acceptNew) {
      if (stateDir == null) {
        throw new InvalidInputException(host, "host-key=accept-new needs known-hosts or a state directory to pin keys in");
      }
      knownHosts = stateDir.toAbsolutePath().resolve("zone").resolve("known_hosts");
      try {
        Files.createDirectories(knownHosts.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + knownHosts.getParent(), e);
      }
    }
    return knownHosts == null ? settings : settings.withKnownHosts(knownHosts, acceptNew);
  }

  private static ZoneHostConfig config(String host, Map<String, String> opts) {
    Map<String, String> networks = new LinkedHashMap<>(networks(host, opts.get("networks")));
    String network = opts.get("network");
    if (opts.containsKey("cidr") && network == null) {
      throw new InvalidInputException(host, "option cidr needs option network: the link it is the gateway/prefix of");
    }
    if (network != null && opts.containsKey("cidr")) {
      networks.put(network, opts.get("cidr"));
    } else if (network != null && !networks.containsKey(network)) {
      throw new InvalidInputException(host, "illumos links carry no subnet: give network '" + network
          + "' its gateway/prefix with option cidr (e.g. cidr=10.77.0.1/24) or in option networks");
    }
    List<ZoneImage> images = new ArrayList<>();
    opts.forEach((key, value) -> {
      if (key.startsWith(IMAGE)) {
        images.add(image(host, key.substring(IMAGE.length()), value));
      }
    });
    ZoneHostConfig defaults = ZoneHostConfig.of(networks, images);
    String root = opts.getOrDefault("zonepath-root", defaults.zonepathRoot());
    String brand = opts.getOrDefault("tarball-brand", defaults.tarballBrand());
    return new ZoneHostConfig(root, opts.getOrDefault("zones-dataset", defaults.zonesDataset()), networks, images,
        opts.getOrDefault("image-dir", root + "/cadre-images"), brand.equals("none") ? null : brand,
        duration(host, "command-timeout", opts.get("command-timeout"), defaults.commandTimeout()),
        duration(host, "install-timeout", opts.get("install-timeout"), defaults.installTimeout()),
        defaults.pollInterval());
  }

  /** {@code LINK=GATEWAY/PREFIX} pairs separated by commas; the config checks each part. */
  static Map<String, String> networks(String host, String text) {
    Map<String, String> networks = new HashMap<>();
    if (text == null || text.isBlank()) {
      return networks;
    }
    for (String pair : text.split(",")) {
      String[] parts = pair.strip().split("=", -1);
      if (parts.length != 2 || networks.put(parts[0], parts[1]) != null) {
        throw new InvalidInputException(host, "option networks is LINK=GATEWAY/PREFIX[,...] with each link once, got '" + text + "'");
      }
    }
    return networks;
  }

  static ZoneImage image(String host, String alias, String value) {
    List<String> words = value == null ? List.of() : Arrays.asList(value.strip().split("\\s+"));
    if (words.isEmpty() || words.get(0).isEmpty()) {
      throw new InvalidInputException(host, "option image." + alias + " is 'BRAND [INSTALL-ARG...]', got '" + value + "'");
    }
    return new ZoneImage(alias, words.get(0), words.subList(1, words.size()));
  }

  private static Duration duration(String host, String name, String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      Duration d = text.matches("[0-9]{1,7}") ? Duration.ofSeconds(Long.parseLong(text)) : Duration.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw new InvalidInputException(host, "option " + name + " must be positive, got '" + text + "'");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(host, "option " + name + " is seconds or an ISO-8601 duration (PT2M), got '" + text + "'");
    }
  }

  private static Path absolute(String host, String name, String text) {
    if (text == null || text.isBlank() || !text.startsWith("/") || text.indexOf('\0') >= 0) {
      throw new InvalidInputException(host, "option " + name + " must be an absolute path, got '" + text + "'");
    }
    return Path.of(text);
  }
}

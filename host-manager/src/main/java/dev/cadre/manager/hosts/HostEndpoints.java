package dev.cadre.manager.hosts;

import dev.cadre.driver.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which host endpoints a caller of the API may register: the operator sets this when starting the server,
 * an API caller never does. Whoever may register a host must not be able to make the server open any
 * socket file, run a program of their choosing, or drive zones on the server's own machine.
 *
 * <ul>
 *   <li>{@code lxd}: {@code https://HOST[:PORT]} (nothing else in the URL), or {@code unix:///PATH} with PATH
 *       inside one of {@code unixDirs} (by default LXD's own directories).</li>
 *   <li>{@code zone}: {@code ssh://USER@HOST[:PORT]} with its options; never the option {@code ssh} (the ssh
 *       program is the server's: the one on its PATH); {@code local://} (the zones of the machine the server
 *       runs on) only when {@code localZones}.</li>
 *   <li>any other driver kind (none in a release; test doubles) is not constrained here.</li>
 * </ul>
 *
 * @param unixDirs directories whose socket files an {@code unix://} endpoint may name
 * @param localZones whether {@code local://} zone hosts may be registered
 */
public record HostEndpoints(List<Path> unixDirs, boolean localZones) {
  public static final List<Path> DEFAULT_UNIX_DIRS = List.of(Path.of("/var/lib/lxd"), Path.of("/var/snap/lxd/common/lxd"));

  public HostEndpoints {
    unixDirs = unixDirs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  /** LXD's own directories, no local zones. */
  public static HostEndpoints defaults() {
    return new HostEndpoints(DEFAULT_UNIX_DIRS, false);
  }

  /** Refuses {@code endpoint} for a host of driver {@code kind} unless the operator allows it. */
  public void check(String kind, String endpoint) {
    String lower = endpoint.toLowerCase(Locale.ROOT);
    if ("lxd".equals(kind)) {
      if (lower.startsWith("https://")) {
        URI u = uri(endpoint);
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null
            || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
          throw refused(endpoint, "an https endpoint is https://HOST[:PORT], nothing more");
        }
        return;
      }
      if (lower.startsWith("unix://")) {
        URI u = uri(endpoint);
        String raw = u.getPath();
        if (raw == null || !raw.startsWith("/") || u.getRawQuery() != null || u.getRawFragment() != null
            || !Path.of(raw).normalize().equals(Path.of(raw))) {
          throw refused(endpoint, "a unix endpoint is unix:///ABSOLUTE/PATH, without . or .. in it");
        }
        Path socket = Path.of(raw).normalize();
        if (unixDirs.stream().noneMatch(socket::startsWith)) {
          throw refused(endpoint, "this server takes unix sockets only under " + unixDirs
              + " (the operator widens that with cadre serve --allow-unix-dir DIR)");
        }
        return;
      }
      throw refused(endpoint, "an lxd endpoint is https://HOST[:PORT] or unix:///PATH");
    }
    if ("zone".equals(kind)) {
      if (lower.startsWith("local://")) {
        if (!localZones) {
          throw refused(endpoint, "local:// drives the zones of this server's own machine; the operator allows it with"
              + " cadre serve --allow-local-zones");
        }
        return;
      }
      if (!lower.startsWith("ssh://")) {
        throw refused(endpoint, "a zone endpoint is ssh://USER@HOST[:PORT]");
      }
      int q = endpoint.indexOf('?');
      if (q >= 0) {
        for (String pair : endpoint.substring(q + 1).split("&")) {
          String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
          try {
            key = java.net.URLDecoder.decode(key.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            throw refused(endpoint, "bad percent-encoding in an option name");
          }
          if (key.equals("ssh")) {
            throw refused(endpoint, "option ssh names a program for the server to run; the server runs the ssh on its"
                + " own PATH, which no API caller chooses");
          }
        }
      }
    }
  }

  private static URI uri(String endpoint) {
    try {
      return new URI(endpoint);
    } catch (URISyntaxException e) {
      throw refused(endpoint, "not a URL: " + e.getReason());
    }
  }

  private static InvalidInputException refused(String endpoint, String why) {
    return new InvalidInputException(null, "endpoint " + endpoint + " refused: " + why);
  }
}

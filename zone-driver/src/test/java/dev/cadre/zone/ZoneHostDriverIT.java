package dev.cadre.zone;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The shared driver suite against a real illumos global zone over ssh, skipped unless
 * {@code CADRE_ZONE_SSH} (user@host[:port]) and {@code CADRE_ZONE_LINK} are set. A second host
 * ({@code CADRE_ZONE2_*}) enables the copy tests. See zone-driver/README.md for every variable.
 */
class ZoneHostDriverIT extends HostDriverContract {
  private static ZoneHostDriver one;
  private static ZoneHostDriver two;
  private static String link1;
  private static String link2;

  @BeforeAll
  static void connect() {
    if (env("CADRE_ZONE_SSH") == null || env("CADRE_ZONE_LINK") == null) {
      return;
    }
    link1 = env("CADRE_ZONE_LINK");
    one = driver("CADRE_ZONE", "zone1");
    if (env("CADRE_ZONE2_SSH") != null && env("CADRE_ZONE2_LINK") != null) {
      link2 = env("CADRE_ZONE2_LINK");
      two = driver("CADRE_ZONE2", "zone2");
    }
  }

  /** Per test, so the report lists every test as skipped rather than none as run. */
  @BeforeEach
  void requireHost() {
    assumeTrue(one != null, "set CADRE_ZONE_SSH=user@host[:port] and CADRE_ZONE_LINK=<link> to run against an illumos host");
  }

  private static ZoneHostDriver driver(String prefix, String name) {
    String key = env(prefix + "_KEY");
    SshCommandRunner runner = new SshCommandRunner(name, SshTarget.parse(env(prefix + "_SSH")),
        SshSettings.DEFAULT.withIdentity(key == null ? null : Path.of(key)));
    String args = env(prefix + "_INSTALL_ARGS");
    ZoneImage image = new ZoneImage(imageAlias(), or(env(prefix + "_BRAND"), "sparse"),
        args == null ? List.of() : Arrays.asList(args.trim().split("\\s+")));
    ZoneHostConfig config = new ZoneHostConfig(or(env(prefix + "_ZONEPATH_ROOT"), "/zones"), or(env(prefix + "_DATASET"), "zones"),
        Map.of(env(prefix + "_LINK"), cidr(prefix)), List.of(image), "/zones/cadre-images", "lx",
        Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofSeconds(1));
    return new ZoneHostDriver(runner, config);
  }

  private static String imageAlias() {
    return or(env("CADRE_ZONE_IMAGE"), "sparse");
  }

  private static String cidr(String prefix) {
    return or(env(prefix + "_CIDR"), prefix.equals("CADRE_ZONE") ? "10.77.0.1/24" : "10.78.0.1/24");
  }

  /** Four consecutive free addresses starting at {@code *_ADDRESS_BASE}, by default .200 of the gateway's /24. */
  private static String address(String prefix, int i) {
    String base = env(prefix + "_ADDRESS_BASE");
    if (base == null) {
      String gateway = ZoneHostConfig.gatewayOf(cidr(prefix));
      base = gateway.substring(0, gateway.lastIndexOf('.')) + ".200";
    }
    int last = base.lastIndexOf('.');
    return base.substring(0, last + 1) + (Integer.parseInt(base.substring(last + 1)) + i);
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }

  private static String or(String value, String fallback) {
    return value == null ? fallback : value;
  }

  @Override
  protected HostDriver driver() {
    return one;
  }

  @Override
  protected String image() {
    return imageAlias();
  }

  @Override
  protected String network() {
    return link1;
  }

  @Override
  protected String address(int i) {
    return address("CADRE_ZONE", i);
  }

  @Override
  protected HostDriver peer() {
    return two;
  }

  @Override
  protected String peerNetwork() {
    return link2;
  }

  @Override
  protected String peerAddress(int i) {
    return address("CADRE_ZONE2", i);
  }

  /** A sparse zone boots its SMF services before the address shows in ipadm. */
  @Override
  protected Duration addressTimeout() {
    return Duration.ofMinutes(3);
  }
}

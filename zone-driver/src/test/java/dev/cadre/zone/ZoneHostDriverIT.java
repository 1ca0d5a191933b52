package dev.cadre.zone;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The shared driver suite against a real illumos global zone over ssh, opened through
 * {@link ZoneDriverFactory} as the server opens it. Skipped (a JUnit assumption per test) unless
 * {@code CADRE_ZONE_SSH=user@host[:port]} is set; {@code CADRE_ZONE2_SSH} adds a second host for the
 * copy tests. zone-driver/README.md lists every variable and what the host needs.
 */
class ZoneHostDriverIT extends HostDriverContract {
  /** Joined when no link is named: an etherstub is a private switch, so the test addresses clash with nothing. */
  static final String DEFAULT_LINK = "cadretck0";

  private static ZoneHostDriver one;
  private static ZoneHostDriver two;

  @BeforeAll
  static void connect() {
    if (env("CADRE_ZONE_SSH") != null) {
      one = open("CADRE_ZONE", "zone1", "10.77.0.1/24");
      if (env("CADRE_ZONE2_SSH") != null) {
        two = open("CADRE_ZONE2", "zone2", "10.78.0.1/24");
      }
    }
  }

  @AfterAll
  static void disconnect() {
    for (ZoneHostDriver d : new ZoneHostDriver[] {one, two}) {
      if (d != null) {
        d.close();
      }
    }
  }

  /** Per test, so the report lists every test as skipped rather than none as run. */
  @BeforeEach
  void requireHost() {
    assumeTrue(one != null, "set CADRE_ZONE_SSH=user@host[:port] to run the driver suite against an illumos host");
  }

  private static ZoneHostDriver open(String prefix, String name, String defaultCidr) {
    String link = or(env(prefix + "_LINK"), DEFAULT_LINK);
    Map<String, String> options = new HashMap<>();
    options.put("networks", link + "=" + cidr(prefix, defaultCidr));
    options.put("image." + imageAlias(), or(env(prefix + "_BRAND"), "sparse") + " " + or(env(prefix + "_INSTALL_ARGS"), ""));
    options.put("host-key", or(env(prefix + "_HOST_KEY"), "strict"));
    put(options, "identity", env(prefix + "_KEY"));
    put(options, "zonepath-root", env(prefix + "_ZONEPATH_ROOT"));
    put(options, "zones-dataset", env(prefix + "_DATASET"));
    Path state = Path.of(System.getProperty("java.io.tmpdir"), "cadre-zone-it");
    ZoneHostDriver driver = (ZoneHostDriver) new ZoneDriverFactory().open(name, "ssh://" + env(prefix + "_SSH"), options, state);
    if (env(prefix + "_LINK") == null && !driver.reader().links().containsKey(DEFAULT_LINK)) {
      driver.commands().check("dladm", "create-etherstub", DEFAULT_LINK);
    }
    return driver;
  }

  private static void put(Map<String, String> options, String key, String value) {
    if (value != null) {
      options.put(key, value);
    }
  }

  private static String imageAlias() {
    return or(env("CADRE_ZONE_IMAGE"), "sparse");
  }

  private static String cidr(String prefix, String fallback) {
    return or(env(prefix + "_CIDR"), fallback);
  }

  /** Four consecutive free addresses starting at {@code *_ADDRESS_BASE}, by default .200 of the gateway's /24. */
  private static String address(String prefix, String defaultCidr, int i) {
    String base = env(prefix + "_ADDRESS_BASE");
    if (base == null) {
      String gateway = ZoneHostConfig.gatewayOf(cidr(prefix, defaultCidr));
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
    return or(env("CADRE_ZONE_LINK"), DEFAULT_LINK);
  }

  @Override
  protected String address(int i) {
    return address("CADRE_ZONE", "10.77.0.1/24", i);
  }

  @Override
  protected boolean copiesRunningInstances() {
    return false; // a zone is detached to be sent
  }

  @Override
  protected HostDriver peer() {
    return two;
  }

  @Override
  protected String peerNetwork() {
    return or(env("CADRE_ZONE2_LINK"), DEFAULT_LINK);
  }

  @Override
  protected String peerAddress(int i) {
    return address("CADRE_ZONE2", "10.78.0.1/24", i);
  }

  /** A sparse zone boots its SMF services before the address shows in ipadm. */
  @Override
  protected Duration addressTimeout() {
    return Duration.ofMinutes(3);
  }
}

package dev.cadre.lxd;

import dev.cadre.driver.ImageSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two real LXD hosts that {@code scripts/lxd-hosts up} starts: host 1 on the default unix
 * socket, host 2 inside the network namespace {@code cadre-dc2}, reached over HTTPS across a veth pair.
 * Environment variables (printed by {@code scripts/lxd-hosts env}) override the defaults.
 */
final class LxdTestHosts {
  static final String SOCKET_1 = env("CADRE_LXD1_SOCKET", "/var/lib/lxd/unix.socket");
  static final String SOCKET_2 = env("CADRE_LXD2_SOCKET", "/var/lib/cadre-lxd2/unix.socket");
  static final String HTTPS_2 = env("CADRE_LXD2_HTTPS", "https://10.90.0.2:8443");
  static final String NETWORK_1 = env("CADRE_LXD1_NETWORK", "cadrebr0");
  static final String NETWORK_2 = env("CADRE_LXD2_NETWORK", "cadrebr1");
  static final Path TRUST_PASSWORD = Path.of(env("CADRE_LXD_TRUST_PASSWORD_FILE", "/var/lib/cadre-test/trust-password"));
  static final Path BUSYBOX = Path.of(env("CADRE_BUSYBOX_IMAGE", "/var/lib/cadre-test/images/busybox.tar.gz"));
  static final Path LXD_DIR_2 = Path.of(env("CADRE_LXD2_DIR", "/var/lib/cadre-lxd2"));

  private static LxdHostDriver one;
  private static LxdHostDriver two;

  private LxdTestHosts() {}

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  static synchronized LxdHostDriver one() {
    if (one == null) {
      one = LxdHostDriver.connect("lxd1", "unix://" + SOCKET_1, null, null);
      one.ensureImage(new ImageSource("busybox", BUSYBOX));
    }
    return one;
  }

  /** Host 2 over HTTPS with a client certificate made for this test run and trusted by password. */
  static synchronized LxdHostDriver two() {
    if (two == null) {
      Path dir = Path.of("target", "lxd-client");
      two = LxdHostDriver.connect("lxd2", HTTPS_2, ClientCertificate.loadOrCreate(dir), null);
      two.requestTrust(trustPassword());
      two.ensureImage(new ImageSource("busybox", BUSYBOX));
    }
    return two;
  }

  static String trustPassword() {
    try {
      return Files.readString(TRUST_PASSWORD).strip();
    } catch (IOException e) {
      throw new IllegalStateException("run scripts/lxd-hosts up first: " + e.getMessage(), e);
    }
  }
}

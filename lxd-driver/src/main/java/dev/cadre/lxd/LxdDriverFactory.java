package dev.cadre.lxd;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens LXD hosts. Over HTTPS cadre presents one client certificate kept in {@code stateDir/lxd};
 * option {@code trust} (a trust password or token) gets it trusted on first contact, and option
 * {@code fingerprint} pins the server certificate.
 */
public final class LxdDriverFactory implements HostDriverFactory {
  @Override
  public String kind() {
    return "lxd";
  }

  @Override
  public HostDriver open(String hostName, String endpoint, Map<String, String> options, Path stateDir) {
    boolean https = endpoint != null && endpoint.startsWith("https://");
    ClientCertificate certificate = https ? ClientCertificate.loadOrCreate(stateDir.resolve("lxd")) : null;
    LxdHostDriver driver = LxdHostDriver.connect(hostName, endpoint, certificate, options.get("fingerprint"));
    String trust = options.get("trust");
    if (https && trust != null && !trust.isBlank()) {
      try {
        driver.requestTrust(trust);
      } catch (RuntimeException e) {
        driver.close();
        throw e;
      }
    }
    return driver;
  }
}

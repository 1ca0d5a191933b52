package dev.cadre.driver;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens drivers of one kind. Implementations are found with {@link java.util.ServiceLoader}, so the
 * control plane never names a concrete driver: the server registers what is on its class path.
 */
public interface HostDriverFactory {

  /** The driver kind this factory opens: "lxd", "zone", ... */
  String kind();

  /**
   * Connects to a host. {@code endpoint} is driver-specific ({@code unix:///var/lib/lxd/unix.socket},
   * {@code https://10.90.0.2:8443}, {@code ssh://root@zonehost}); {@code options} carry what
   * registration needs once (e.g. {@code trust}: a trust password or token); {@code stateDir} is
   * where the driver keeps what must survive restarts (client certificates, known host keys).
   * Throws {@link InvalidInputException} for a malformed endpoint before any connection is tried.
   */
  HostDriver open(String hostName, String endpoint, Map<String, String> options, Path stateDir);
}

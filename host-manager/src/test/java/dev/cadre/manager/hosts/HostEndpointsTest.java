package dev.cadre.manager.hosts;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostEndpointsTest {
  final HostEndpoints defaults = HostEndpoints.defaults();

  @Test
  void lxdTakesHttpsHostsAndSocketsInLxdsOwnDirectories() {
    for (String ok : List.of("https://10.90.0.2:8443", "https://lxd1.example", "https://[fd00::2]:8443/",
        "unix:///var/lib/lxd/unix.socket", "unix:///var/snap/lxd/common/lxd/unix.socket")) {
      assertDoesNotThrow(() -> defaults.check("lxd", ok), ok);
    }
    for (String bad : List.of("unix:///run/docker.sock", "unix:///var/lib/lxd/../../../run/x.sock",
        "unix:///var/lib/./lxd/unix.socket", "unix://relative/x", "https://user@10.0.0.1:8443",
        "https://10.0.0.1:8443/1.0/instances", "https://10.0.0.1?x=1", "http://10.0.0.1:8443", "file:///etc/passwd",
        "local://", "https://")) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> defaults.check("lxd", bad), bad);
      assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }
  }

  @Test
  void theOperatorWidensTheSocketDirectories() {
    HostEndpoints wider = new HostEndpoints(List.of(Path.of("/var/lib/cadre-lxd2")), false);
    assertDoesNotThrow(() -> wider.check("lxd", "unix:///var/lib/cadre-lxd2/unix.socket"));
    assertThrows(InvalidInputException.class, () -> wider.check("lxd", "unix:///var/lib/lxd/unix.socket"),
        "the list replaces the defaults");
    assertThrows(InvalidInputException.class, () -> wider.check("lxd", "unix:///var/lib/cadre-lxd22/unix.socket"),
        "a sibling whose name starts alike is not inside");
  }

  @Test
  void zonesTakeSshWithoutAProgramAndLocalOnlyWhenAllowed() {
    assertDoesNotThrow(() -> defaults.check("zone", "ssh://root@gz1:22?networks=e1000g0=10.77.0.1/24&identity=/k"));
    for (String bad : List.of("ssh://root@gz1?ssh=/tmp/evil", "ssh://root@gz1?networks=x&%73sh=/tmp/evil",
        "ssh://root@gz1?s%73h=/bin/sh", "local://", "local://?network=x", "http://gz1", "/usr/bin/ssh")) {
      assertThrows(InvalidInputException.class, () -> defaults.check("zone", bad), bad);
    }
    assertDoesNotThrow(() -> new HostEndpoints(HostEndpoints.DEFAULT_UNIX_DIRS, true).check("zone", "local://"));
  }

  @Test
  void otherDriverKindsAreNotConstrainedHere() {
    assertDoesNotThrow(() -> defaults.check("fake", "fake://h1"));
  }
}

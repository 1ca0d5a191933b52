package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZoneDriverFactoryTest {
  private final ZoneDriverFactory factory = new ZoneDriverFactory();
  @TempDir Path state;

  private ZoneHostDriver open(String endpoint, Map<String, String> options) {
    return (ZoneHostDriver) factory.open("gz1", endpoint, options, state);
  }

  private static List<String> localArgv(ZoneHostDriver driver) {
    return ((SshCommandRunner) driver.commands().runner()).localArgv(List.of("zoneadm", "list", "-cp"));
  }

  @Test
  void theServerFindsTheZoneKindThroughTheServiceLoader() {
    List<String> kinds = ServiceLoader.load(HostDriverFactory.class).stream().map(p -> p.get().kind()).toList();
    assertTrue(kinds.contains("zone"), kinds.toString());
  }

  @Test
  void anSshEndpointRunsTheToolsThroughSshWithTheGivenKeyAndPort() {
    ZoneHostDriver driver = open("ssh://admin@gz1.example:2222", Map.of("identity", "/etc/cadre/zone_ed25519"));
    assertEquals("zone", driver.kind());
    assertEquals("gz1", driver.hostName());
    List<String> argv = localArgv(driver);
    assertEquals(List.of("-p", "2222", "-i", "/etc/cadre/zone_ed25519", "admin@gz1.example", "--",
        "echo cadre-ssh-session >&2; exec zoneadm list -cp"),
        argv.subList(argv.size() - 7, argv.size()));
  }

  @Test
  void acceptNewPinsHostKeysUnderTheStateDirectory() {
    List<String> argv = localArgv(open("ssh://root@[fe80::1]", Map.of("host-key", "accept-new")));
    assertTrue(argv.contains("UserKnownHostsFile=" + state.toAbsolutePath().resolve("zone/known_hosts")), argv.toString());
    assertTrue(argv.contains("StrictHostKeyChecking=accept-new"), argv.toString());
    assertTrue(argv.contains("root@fe80::1"), argv.toString());
    assertTrue(Files.isDirectory(state.resolve("zone")));
    assertThrows(InvalidInputException.class, () -> factory.open("gz1", "ssh://root@gz1", Map.of("host-key", "accept-new"), null));
  }

  @Test
  void optionsBecomeTheHostLayout() {
    ZoneHostDriver driver = open("ssh://root@gz1", Map.of(
        "networks", "e1000g0=10.77.0.1/24, stub0=192.168.9.1/28",
        "network", "vioif0", "cidr", "10.78.0.1/24",
        "image.base", "sparse",
        "image.base64", "joyent-minimal -q 10G  -t 1d05e788-5409-11e6-9f3e-a7d8a1c9a3cf",
        "zonepath-root", "/tank/zones", "zones-dataset", "tank/zones",
        "tarball-brand", "none", "command-timeout", "90", "install-timeout", "PT1H"));
    ZoneHostConfig config = driver.config();
    assertEquals(Map.of("e1000g0", "10.77.0.1/24", "stub0", "192.168.9.1/28", "vioif0", "10.78.0.1/24"), config.networks());
    assertEquals(List.of(ZoneImage.of("base", "sparse"),
        ZoneImage.of("base64", "joyent-minimal", "-q", "10G", "-t", "1d05e788-5409-11e6-9f3e-a7d8a1c9a3cf")),
        config.images().stream().sorted((a, b) -> a.alias().compareTo(b.alias())).toList());
    assertEquals("/tank/zones/web1", config.zonepath("web1"));
    assertEquals("tank/zones/web1", config.dataset("web1"));
    assertEquals("/tank/zones/cadre-images", config.imageDir());
    assertEquals(null, config.tarballBrand());
    assertEquals(Duration.ofSeconds(90), config.commandTimeout());
    assertEquals(Duration.ofHours(1), config.installTimeout());
  }

  @Test
  void optionsInTheEndpointQuerySurviveARestartWithTheStoredEndpoint() {
    String endpoint = "ssh://root@gz1.example:2222?networks=e1000g0=10.77.0.1/24,stub0=10.79.0.1/24"
        + "&image.base=sparse&image.lx1=lx%20-s%20/zones/img/a+b.tar.gz&identity=/etc/cadre/zone_key";
    ZoneHostDriver driver = (ZoneHostDriver) factory.open("gz1", endpoint, Map.of(), state);
    assertEquals(Map.of("e1000g0", "10.77.0.1/24", "stub0", "10.79.0.1/24"), driver.config().networks());
    assertTrue(driver.config().images().contains(ZoneImage.of("lx1", "lx", "-s", "/zones/img/a+b.tar.gz")));
    List<String> argv = localArgv(driver);
    assertTrue(argv.containsAll(List.of("-p", "2222", "-i", "/etc/cadre/zone_key", "root@gz1.example")), argv.toString());
    ZoneHostDriver local = (ZoneHostDriver) factory.open("gz1", "local://?network=stub0&cidr=10.79.0.1/24", Map.of(), state);
    assertEquals(Map.of("stub0", "10.79.0.1/24"), local.config().networks());
    for (String bad : List.of("ssh://root@gz1?networks", "ssh://root@gz1?=x", "ssh://root@gz1?ssh=a&ssh=b",
        "ssh://root@gz1?image.x=sparse%zz", "ssh://root@gz1?bogus=1")) {
      assertThrows(InvalidInputException.class, () -> factory.open("gz1", bad, Map.of(), state), bad);
    }
    assertThrows(InvalidInputException.class,
        () -> factory.open("gz1", "ssh://root@gz1?identity=/a", Map.of("identity", "/b"), state), "given twice");
  }

  @Test
  void aRegisteredNetworkAloneIsOneOfTheListedOnes() {
    ZoneHostDriver driver = open("ssh://root@gz1", Map.of("networks", "e1000g0=10.77.0.1/24", "network", "e1000g0"));
    assertEquals(Map.of("e1000g0", "10.77.0.1/24"), driver.config().networks());
  }

  @Test
  void badEndpointsAndOptionsAreRefusedBeforeAnyConnection() {
    for (String bad : List.of("gz1", "root@gz1", "https://gz1", "ssh://gz1", "ssh://-oProxyCommand=x@gz1", "ssh://root@gz1/path",
        "ssh://root@gz1:99999", "local:///", "")) {
      assertThrows(InvalidInputException.class, () -> open(bad, Map.of()), bad);
    }
    for (Map<String, String> bad : List.of(Map.of("netwrks", "e1000g0=10.0.0.1/24"), Map.of("networks", "e1000g0"),
        Map.of("networks", "e1000g0=10.0.0.1/24,e1000g0=10.0.1.1/24"), Map.of("networks", "bad-link=10.0.0.1/24"),
        Map.of("networks", "e1000g0=10.0.0.300/24"), Map.of("network", "e1000g0"), Map.of("cidr", "10.0.0.1/24"), Map.of("trust", "s3cret"), Map.of("image.x", " "),
        Map.of("image.x", "bad;brand"), Map.of("image.no/slash", "sparse"), Map.of("zonepath-root", "zones"),
        Map.of("command-timeout", "soon"), Map.of("install-timeout", "0"), Map.of("identity", "relative/key"),
        Map.of("host-key", "yolo"), Map.of("ssh", "-oProxyCommand=x"), Map.of("known-hosts", "/a b"))) {
      assertThrows(InvalidInputException.class, () -> open("ssh://root@gz1", bad), bad.toString());
    }
    assertThrows(InvalidInputException.class, () -> open("local://", Map.of("identity", "/k")), "ssh options need ssh");
  }

  @Test
  void aLocalEndpointOnAMachineWithoutZoneToolsFailsAsAHostFailureNamingTheHost() {
    HostDriver driver = open("local://", Map.of("networks", "e1000g0=10.77.0.1/24"));
    assertInstanceOf(LocalCommandRunner.class, ((ZoneHostDriver) driver).commands().runner());
    HostFailureException e = assertThrows(HostFailureException.class, () -> driver.find("web1"));
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains("zoneadm"), e.getMessage());
  }
}

package dev.cadre.zone;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Two simulated zone hosts laid out like the LXD test hosts: one network each, one sparse-brand image. */
final class SimulatedHosts {
  static final String IMAGE = "omnios-sparse";

  private SimulatedHosts() {}

  static ZoneSimulator simulator(String host, String link) {
    Map<String, String> links = new LinkedHashMap<>();
    links.put(link, "phys");
    links.put("stub0", "etherstub");
    return new ZoneSimulator(host, links);
  }

  static ZoneHostDriver driver(ZoneSimulator simulator, String link, String gatewayCidr) {
    ZoneHostConfig config = ZoneHostConfig.of(Map.of(link, gatewayCidr), List.of(ZoneImage.of(IMAGE, "sparse")))
        .withPollInterval(Duration.ofMillis(10));
    return new ZoneHostDriver(simulator, config);
  }
}

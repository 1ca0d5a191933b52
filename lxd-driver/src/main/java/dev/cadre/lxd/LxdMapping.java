package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.driver.Instance;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** Small pure functions from LXD's JSON to the contract's values. */
final class LxdMapping {
  private LxdMapping() {}

  static Instance instance(JsonNode meta, JsonNode state) {
    JsonNode eth0 = meta.path("devices").path("eth0");
    if (eth0.isMissingNode()) {
      eth0 = meta.path("expanded_devices").path("eth0");
    }
    Map<String, String> metadata = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("config").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith(LxdHostDriver.METADATA_PREFIX)) {
        metadata.put(e.getKey().substring(LxdHostDriver.METADATA_PREFIX.length()), e.getValue().asText());
      }
    }
    String status = state.path("status").asText(meta.path("status").asText(null));
    return new Instance(meta.path("name").asText(), LxdStates.toState(status), status, ipv4(state),
        eth0.path("ipv4.address").asText(null), eth0.path("network").asText(null), metadata);
  }

  /** The global IPv4 address on eth0, or null. */
  static String ipv4(JsonNode state) {
    for (JsonNode addr : state.path("network").path("eth0").path("addresses")) {
      if ("inet".equals(addr.path("family").asText()) && "global".equals(addr.path("scope").asText())) {
        return addr.path("address").asText();
      }
    }
    return null;
  }
}

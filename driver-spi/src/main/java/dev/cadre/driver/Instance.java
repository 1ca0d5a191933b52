package dev.cadre.driver;

import java.util.Map;

/**
 * An instance as the host reports it now. {@code ipv4} is the address the container actually holds
 * (read from its running state), null until it has one; {@code configuredIpv4} is the static address
 * it was created with.
 */
public record Instance(
    String name,
    InstanceState state,
    String nativeState,
    String ipv4,
    String configuredIpv4,
    String network,
    Map<String, String> metadata) {

  public Instance {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public boolean running() {
    return state == InstanceState.RUNNING;
  }
}

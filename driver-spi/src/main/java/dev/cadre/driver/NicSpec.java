package dev.cadre.driver;

import java.util.Objects;

/** One network interface: the named host network it joins and the static IPv4 address it gets. */
public record NicSpec(String network, String ipv4) {
  public NicSpec {
    Objects.requireNonNull(network, "network");
    Validation.requireNetworkName(network);
    if (ipv4 != null) {
      Validation.requireIpv4(ipv4);
    }
  }
}

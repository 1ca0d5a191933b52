package dev.cadre.lxd;

import dev.cadre.driver.Validation;
import java.util.Locale;
import java.util.Optional;

/**
 * The MAC address a NIC with a static IPv4 address gets: a fixed, locally administered prefix followed
 * by the four bytes of the address.
 *
 * <p>Why: LXD's DHCP server (dnsmasq) keeps a lease per MAC. When a container is deleted and its lease
 * survives (LXD's lease clearing is lost now and then, for instance among many deletes at once), a new
 * container given the same address with a new random MAC is refused that address and handed a
 * dynamic one. With the MAC derived from the address, the new container is the same DHCP client as
 * the old one as far as dnsmasq can tell, so the surviving lease is simply its own and the address is
 * usable at once. Two NICs never share a MAC unless they share an address, which LXD refuses anyway.
 */
final class StaticMac {
  /** 0x0a: the locally administered bit set, the multicast bit clear; 0x63 ('c'): cadre's. */
  static final String PREFIX = "0a:63";

  private StaticMac() {}

  static String forIpv4(String ipv4) {
    Validation.requireIpv4(ipv4);
    StringBuilder mac = new StringBuilder(PREFIX);
    for (String octet : ipv4.split("\\.")) {
      mac.append(':').append(String.format("%02x", Integer.parseInt(octet)));
    }
    return mac.toString();
  }

  /** The address a MAC of this scheme was made from; empty for any other MAC. */
  static Optional<String> ipv4Of(String mac) {
    if (mac == null || !mac.toLowerCase(Locale.ROOT).matches(PREFIX + "(:[0-9a-f]{2}){4}")) {
      return Optional.empty();
    }
    String[] octets = mac.split(":");
    StringBuilder ip = new StringBuilder();
    for (int i = 2; i < 6; i++) {
      ip.append(i > 2 ? "." : "").append(Integer.parseInt(octets[i], 16));
    }
    return Optional.of(ip.toString());
  }
}

package dev.cadre.manager.ipam;

import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.Validation;

/**
 * An IPv4 network as a host reports it ({@code 10.77.0.1/24}: the gateway with its prefix) and the pool
 * cadre takes member addresses from: the upper half of the subnet without the broadcast address, and
 * never the network address or the gateway. The lower half is left to the network's own DHCP range and
 * to hand-made containers.
 */
public record Subnet(int network, int prefix, int gateway) {

  public Subnet {
    if (prefix < 8 || prefix > 29) {
      throw new InvalidInputException(null, "network prefix /" + prefix + " is not supported: cadre needs /8 to /29");
    }
  }

  /** Parses {@code a.b.c.d/p} where a.b.c.d is the gateway (the host's address on the network). */
  public static Subnet parseGatewayCidr(String cidr) {
    if (cidr == null || cidr.indexOf('/') < 0) {
      throw new InvalidInputException(null, "network has no IPv4 address with a prefix: " + cidr);
    }
    String[] parts = cidr.split("/", 2);
    int gateway = toInt(Validation.requireIpv4(parts[0]));
    int prefix;
    try {
      prefix = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(null, "bad prefix in " + cidr);
    }
    if (prefix < 8 || prefix > 29) {
      throw new InvalidInputException(null, "network " + cidr + " is too small or too large for cadre (/8 to /29)");
    }
    int mask = mask(prefix);
    return new Subnet(gateway & mask, prefix, gateway);
  }

  /** {@code 10.77.0.0/24}. */
  public String cidr() {
    return toString(network) + "/" + prefix;
  }

  public String gatewayAddress() {
    return toString(gateway);
  }

  public int broadcast() {
    return network | ~mask(prefix);
  }

  public int poolStart() {
    int size = 1 << (32 - prefix);
    return network + size / 2;
  }

  public int poolEnd() {
    return broadcast() - 1;
  }

  /** True for an address cadre may hand out: inside the pool and not the gateway. */
  public boolean inPool(int address) {
    return Integer.compareUnsigned(address, poolStart()) >= 0 && Integer.compareUnsigned(address, poolEnd()) <= 0
        && address != gateway && address != network && address != broadcast();
  }

  public static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  public static int toInt(String address) {
    String[] p = Validation.requireIpv4(address).split("\\.");
    return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
        | Integer.parseInt(p[3]);
  }

  public static String toString(int address) {
    return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
        + (address & 0xff);
  }
}

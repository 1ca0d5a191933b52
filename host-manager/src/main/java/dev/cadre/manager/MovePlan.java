package dev.cadre.manager;

import java.util.List;

/**
 * What moving an app to another datacenter would do, answered before anything changes. {@code method}:
 * {@code copy} (the containers are copied between hosts while they serve, then refreshed during a short
 * pause). {@code expectedDowntimeMs}: an estimate of the pause (every member pauses at once): a stop, the
 * last refresh, a start, the data sums of both sides, the hooks; the measured figures are in bench/README.md.
 */
public record MovePlan(String app, String from, String to, String method, long dataBytes, long expectedDowntimeMs,
    List<Member> members, List<Service> services) {
  public MovePlan {
    members = List.copyOf(members);
    services = List.copyOf(services);
  }

  /** One member: where it is, where it goes; {@code dataBytes} of its data directories (-1: it did not say). */
  public record Member(String name, String service, String role, String fromHost, String fromIp, String toHost,
      String toIp, long dataBytes, String method, long expectedDowntimeMs) {}

  /** A service address: the source's goes, the target datacenter's takes its place. */
  public record Service(String name, String fromAddress, String toAddress) {}
}

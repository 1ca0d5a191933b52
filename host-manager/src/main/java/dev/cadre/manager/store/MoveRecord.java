package dev.cadre.manager.store;

/**
 * One part of an app on its way to another datacenter: a member ({@code holder} is its name; hosts and
 * addresses are its container's) or a service address ({@code holder} is {@code @app/service}; no hosts).
 * {@code switched}: the app's rows already say the target; the source is what is left to clean.
 */
public record MoveRecord(String holder, String app, String operationId, String fromDatacenter, String toDatacenter,
    String fromHost, String fromAddress, String toHost, String toAddress, boolean switched) {

  /** Who holds {@code toAddress} in the address table until the move ends: starts with '~', so no sweep frees it. */
  public String reservedHolder() {
    return reservedHolder(holder);
  }

  public static String reservedHolder(String holder) {
    return "~move:" + holder;
  }

  public boolean member() {
    return !holder.startsWith("@");
  }

  /** The host whose room this move holds besides the member's own row: the target until the switch, then the source. */
  public String otherHost() {
    return switched ? fromHost : toHost;
  }
}

package dev.cadre.manager.lifecycle;

/** A host as the prober and the operator see it; a host that answers again after being away is {@code ready}. */
public enum HostState implements Lifecycle<HostState> {
  READY("draining unreachable"),
  DRAINING("ready unreachable"),
  UNREACHABLE("ready");

  private final String targets;

  HostState(String targets) {
    this.targets = targets;
  }

  @Override
  public String targets() {
    return targets;
  }

  public static HostState parse(String wire) {
    return Transitions.parse(HostState.class, wire);
  }

  /** New members may be placed here. */
  public boolean placeable() {
    return this == READY;
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Set;

/** A host as the prober and the operator see it; a host that answers again after being away is {@code ready}. */
public enum HostState implements Lifecycle<HostState> {
  READY("draining unreachable"),
  DRAINING("ready unreachable"),
  UNREACHABLE("ready");

  private static final Transitions<HostState> TABLE = Transitions.of(HostState.class, s -> s.targets);
  private final String targets;

  HostState(String targets) {
    this.targets = targets;
  }

  @Override
  public String wire() {
    return Transitions.wireName(this);
  }

  @Override
  public Set<HostState> next() {
    return TABLE.next(this);
  }

  public static HostState parse(String wire) {
    return TABLE.parse(wire);
  }

  /** New members may be placed here. */
  public boolean placeable() {
    return this == READY;
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Set;

/**
 * A service's own lifecycle, apart from its members': whether a change of its shape (a conversion, a
 * promotion, a move) is under way. Today every service is {@code ready}; the roles and move work add their
 * states here, one line each.
 */
public enum ServiceState implements Lifecycle<ServiceState> {
  READY("");

  private static final Transitions<ServiceState> TABLE = Transitions.of(ServiceState.class, s -> s.targets);
  private final String targets;

  ServiceState(String targets) {
    this.targets = targets;
  }

  @Override
  public String wire() {
    return Transitions.wireName(this);
  }

  @Override
  public Set<ServiceState> next() {
    return TABLE.next(this);
  }

  public static ServiceState parse(String wire) {
    return TABLE.parse(wire);
  }
}

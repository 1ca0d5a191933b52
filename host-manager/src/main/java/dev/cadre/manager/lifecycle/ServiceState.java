package dev.cadre.manager.lifecycle;

/**
 * A service's own lifecycle, apart from its members': whether a change of its shape (a conversion, a
 * promotion, a move) is under way. Today every service is {@code ready}; the roles and move work add their
 * states here, one line each.
 */
public enum ServiceState implements Lifecycle<ServiceState> {
  READY("");

  private final String targets;

  ServiceState(String targets) {
    this.targets = targets;
  }

  @Override
  public String targets() {
    return targets;
  }

  public static ServiceState parse(String wire) {
    return Transitions.parse(ServiceState.class, wire);
  }
}

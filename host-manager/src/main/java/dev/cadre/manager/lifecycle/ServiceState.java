package dev.cadre.manager.lifecycle;

/**
 * A service's own lifecycle, apart from its members': whether a change of its shape (a conversion, a
 * promotion, a failover, an old primary rejoining, a move of its app) is under way. One at a time per service: the change of
 * state is a compare-and-set in the store, so two servers cannot start two.
 */
public enum ServiceState implements Lifecycle<ServiceState> {
  READY("converting promoting failing_over rejoining moving"),
  CONVERTING("ready"),
  PROMOTING("ready"),
  FAILING_OVER("ready"),
  REJOINING("ready"),
  MOVING("ready");

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

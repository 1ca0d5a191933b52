package dev.cadre.manager.lifecycle;

/**
 * A host as the prober and the operator see it. A drain makes it {@code draining} and, once no member is left
 * on it, {@code drained}; neither takes new members, and only a resume makes either {@code ready} again (a
 * drain that fails or is cut short leaves the host draining: the operator drains again or resumes). A drained
 * host stays drained whether it answers or not: it has no member to fail over, and forgetting the drain would
 * hand it new ones. Any other host that stops answering is {@code unreachable}, and {@code ready} when it
 * answers again.
 */
public enum HostState implements Lifecycle<HostState> {
  READY("draining unreachable untrusted"),
  DRAINING("ready drained unreachable untrusted"),
  DRAINED("ready draining untrusted"),
  UNREACHABLE("ready untrusted"),
  /** Another identity than the pinned one answered: nothing goes to the host until an admin trusts it again. */
  UNTRUSTED("ready");

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

  /** A resume may make it ready: a drain has been asked for it. */
  public boolean drainedOrDraining() {
    return this == DRAINING || this == DRAINED;
  }

  /** New members may be placed here. */
  public boolean placeable() {
    return this == READY;
  }
}

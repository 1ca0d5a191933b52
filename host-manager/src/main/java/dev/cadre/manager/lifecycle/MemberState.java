package dev.cadre.manager.lifecycle;

/**
 * A member's lifecycle. Each line: the state, then the states it may become. Any state may become
 * {@code deleting} (an app is deleted whatever its members are doing); {@code deleting} ends with the row.
 */
public enum MemberState implements Lifecycle<MemberState> {
  CREATING("configuring failed deleting"),
  CONFIGURING("starting failed deleting"),
  STARTING("running failed deleting"),
  RUNNING("unhealthy moving demoted deleting"),
  UNHEALTHY("running moving demoted failed deleting"),
  /** Was the primary until a failover; rejoins as a replica once it answers again, and never serves before. */
  DEMOTED("running failed deleting"),
  MOVING("running failed deleting"),
  FAILED("deleting"),
  DELETING("");

  private final String targets;

  MemberState(String targets) {
    this.targets = targets;
  }

  @Override
  public String targets() {
    return targets;
  }

  public static MemberState parse(String wire) {
    return Transitions.parse(MemberState.class, wire);
  }

  /** Being provisioned by a create operation (a crash leaves it to recovery to roll back). */
  public boolean provisioning() {
    return this == CREATING || this == CONFIGURING || this == STARTING;
  }

  /** The health monitor asks these members' {@code health} hook. */
  public boolean watched() {
    return this == RUNNING || this == UNHEALTHY;
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Set;

/** An operation's status; the last three end it. */
public enum OperationStatus implements Lifecycle<OperationStatus> {
  PENDING("running success failure cancelled"),
  RUNNING("success failure cancelled"),
  SUCCESS(""),
  FAILURE(""),
  CANCELLED("");

  private static final Transitions<OperationStatus> TABLE = Transitions.of(OperationStatus.class, s -> s.targets);
  private final String targets;

  OperationStatus(String targets) {
    this.targets = targets;
  }

  @Override
  public String wire() {
    return Transitions.wireName(this);
  }

  @Override
  public Set<OperationStatus> next() {
    return TABLE.next(this);
  }

  public static OperationStatus parse(String wire) {
    return TABLE.parse(wire);
  }
}

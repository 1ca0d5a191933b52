package dev.cadre.manager.lifecycle;

/** An operation's status; the last three end it. */
public enum OperationStatus implements Lifecycle<OperationStatus> {
  PENDING("running success failure cancelled"),
  RUNNING("success failure cancelled"),
  SUCCESS(""),
  FAILURE(""),
  CANCELLED("");

  private final String targets;

  OperationStatus(String targets) {
    this.targets = targets;
  }

  @Override
  public String targets() {
    return targets;
  }

  public static OperationStatus parse(String wire) {
    return Transitions.parse(OperationStatus.class, wire);
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Collection;

/** An app's lifecycle; once created, its state follows its members by {@link #fromMembers}. */
public enum AppState implements Lifecycle<AppState> {
  CREATING("running degraded failed deleting"),
  RUNNING("degraded failed deleting"),
  DEGRADED("running failed deleting"),
  FAILED("running degraded deleting"),
  DELETING("");

  private final String targets;

  AppState(String targets) {
    this.targets = targets;
  }

  @Override
  public String targets() {
    return targets;
  }

  public static AppState parse(String wire) {
    return Transitions.parse(AppState.class, wire);
  }

  /**
   * The one rule for an app (or a service) from its members: every member running is {@code running};
   * none running and none that may still recover (all failed, or no members at all) is {@code failed};
   * anything in between is {@code degraded}.
   */
  public static AppState fromMembers(Collection<MemberState> members) {
    long running = members.stream().filter(m -> m == MemberState.RUNNING).count();
    long failed = members.stream().filter(m -> m == MemberState.FAILED).count();
    if (members.isEmpty() || failed == members.size()) {
      return FAILED;
    }
    return running == members.size() ? RUNNING : DEGRADED;
  }
}

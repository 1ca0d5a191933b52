package dev.cadre.manager;

/**
 * {@code state}: creating, configuring, starting, running, unhealthy, demoted, moving, failed, deleting;
 * {@code health}: healthy, unhealthy, or null when not known (a member being made, or gone).
 */
public record MemberView(String name, String role, String host, String ip, String state, String error, String health) {

  public MemberView(String name, String role, String host, String ip, String state, String error) {
    this(name, role, host, ip, state, error, health(state));
  }

  static String health(String state) {
    return switch (state) {
      case "running" -> "healthy";
      case "unhealthy", "demoted" -> "unhealthy";
      default -> null;
    };
  }
}

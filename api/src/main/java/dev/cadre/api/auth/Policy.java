package dev.cadre.api.auth;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: which roles may make a call, by method and path, written once. Anything not named here is a read
 * for every role but metrics, or a write for admin only, so a new route is closed until it is listed.
 */
public final class Policy {
  private static final Set<Role> ADMIN = EnumSet.of(Role.ADMIN);
  private static final Set<Role> CHANGE_APPS = EnumSet.of(Role.ADMIN, Role.OPERATOR);
  private static final Set<Role> READ = EnumSet.of(Role.ADMIN, Role.OPERATOR, Role.VIEWER);
  private static final Set<Role> METRICS = EnumSet.of(Role.ADMIN, Role.METRICS);
  private static final Pattern APP_PATH = Pattern.compile("/v1/apps/([^/]+)(/.*)?");

  private Policy() {}

  public static Set<Role> allowed(String method, String rawPath) {
    String path = canonical(rawPath);
    if (path.equals("/metrics")) {
      return METRICS;
    }
    if (path.equals("/v1/tokens") || path.startsWith("/v1/tokens/") || path.equals("/v1/audit")) {
      return ADMIN;
    }
    if (isSecrets(path)) {
      return CHANGE_APPS;
    }
    if (isRead(method)) {
      return READ;
    }
    if (path.equals("/v1/apps") || path.startsWith("/v1/apps/") || path.startsWith("/v1/operations/")) {
      return CHANGE_APPS;
    }
    return ADMIN;
  }

  public static boolean isRead(String method) {
    return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
  }

  public static boolean isSecrets(String rawPath) {
    String path = canonical(rawPath);
    return path.startsWith("/v1/apps/") && path.endsWith("/secrets");
  }

  /**
   * The path as the router matches it: the router ignores a trailing slash, so {@code .../secrets/} and
   * {@code /v1/audit/} must be judged as {@code .../secrets} and {@code /v1/audit}; repeated slashes count once.
   */
  static String canonical(String path) {
    String p = path.replaceAll("/{2,}", "/");
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** The app a path is about ({@code /v1/apps/shop/...}: shop), or null. */
  public static String appOf(String rawPath) {
    Matcher m = APP_PATH.matcher(canonical(rawPath));
    return m.matches() ? m.group(1) : null;
  }

  /** "admin or operator": for a refusal's message. */
  static String describe(Set<Role> roles) {
    StringBuilder out = new StringBuilder();
    for (Role r : roles) {
      if (out.length() > 0) {
        out.append(" or ");
      }
      out.append(r.wire());
    }
    return out.toString();
  }
}

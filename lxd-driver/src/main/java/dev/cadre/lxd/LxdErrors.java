package dev.cadre.lxd;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import java.util.Locale;

/** The one place where LXD's HTTP statuses and error messages become cadre's exception family. */
final class LxdErrors {
  private LxdErrors() {}

  static DriverException translate(String host, int status, String message) {
    String text = message == null || message.isBlank() ? "HTTP " + status : message;
    return switch (status) {
      case 400 -> byMessage(host, text, new InvalidInputException(host, text));
      case 401, 403 -> new UnauthorizedException(host, text);
      case 404 -> new NotFoundException(host, text);
      case 409 -> new ConflictException(host, text);
      case 502, 503, 504 -> new UnavailableException(host, text);
      default -> byMessage(host, text, new HostFailureException(host, text));
    };
  }

  /** A failed background operation carries only a message; LXD words a few outcomes consistently. */
  static DriverException operationFailed(String host, String message) {
    return byMessage(host, message, new HostFailureException(host, message));
  }

  private static DriverException byMessage(String host, String text, DriverException fallback) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("already exists") || lower.contains("is running") || lower.contains("already running")) {
      return new ConflictException(host, text);
    }
    if (lower.contains("not found") || lower.contains("no such file")) {
      return new NotFoundException(host, text);
    }
    if (lower.contains("not authorized") || lower.contains("not trusted")) {
      return new UnauthorizedException(host, text);
    }
    return fallback;
  }
}

package dev.cadre.lxd;

import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostBusyException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where LXD's HTTP statuses and error messages become cadre's exception family. LXD
 * words a few outcomes the same way whatever status (or failed operation) carries them; those are
 * recognised here and nowhere else, so no caller ever matches LXD's text.
 */
final class LxdErrors {
  /**
   * LXD's bridged NIC validation at start: {@code IP address "10.77.0.5" already defined on another NIC},
   * or, checked first, {@code MAC address "0a:63:0a:4d:00:05" already defined on another NIC} (two NICs
   * of one address share its {@link StaticMac}).
   */
  private static final Pattern ADDRESS_IN_USE =
      Pattern.compile("(?i)(?:(IP|MAC) address \"([^\"]{1,64})\" )?already defined on another NIC");

  private LxdErrors() {}

  static DriverException translate(String host, int status, String message) {
    String text = message == null || message.isBlank() ? "HTTP " + status : message;
    DriverException fault = fault(host, text);
    if (fault != null) {
      return fault;
    }
    return switch (status) {
      case 400 -> byMessage(host, text, new InvalidInputException(host, text));
      case 401, 403 -> new UnauthorizedException(host, text);
      case 404 -> new NotFoundException(host, text);
      case 409 -> new ConflictException(host, text);
      case 502, 503 -> new UnavailableException(host, text);
      case 504 -> new TimedOutException(host, text);
      default -> byMessage(host, text, new HostFailureException(host, text));
    };
  }

  /** A failed background operation carries only a message. */
  static DriverException operationFailed(String host, String message) {
    String text = message == null || message.isBlank() ? "operation failed" : message;
    DriverException fault = fault(host, text);
    return fault != null ? fault : byMessage(host, text, new HostFailureException(host, text));
  }

  /** The typed faults a caller acts on, whatever status LXD gave them; null when the text is none of them. */
  private static DriverException fault(String host, String text) {
    Matcher taken = ADDRESS_IN_USE.matcher(text);
    if (taken.find()) {
      String said = taken.group(2);
      String address = "MAC".equalsIgnoreCase(taken.group(1)) ? StaticMac.ipv4Of(said).orElse(null) : said;
      return new AddressInUseException(host, address, text);
    }
    String lower = text.toLowerCase(Locale.ROOT);
    // "Instance is busy running a "stop" operation" (another operation holds the instance's lock) and
    // EBUSY from the storage ("device or resource busy") both pass; instance names hold no spaces, so
    // these phrases never match a name such as "busybox".
    if (lower.contains(" is busy") || lower.contains("resource busy")) {
      return new HostBusyException(host, text);
    }
    return null;
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

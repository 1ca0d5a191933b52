package dev.cadre.driver;

/**
 * The host is still busy with other work on the thing asked for (another operation holds the
 * instance, a mount is still in use). Transient: the driver has already retried for a while before
 * raising it, so a caller retries later rather than at once.
 */
public class HostBusyException extends UnavailableException {
  public HostBusyException(String host, String message) {
    super(host, message);
  }

  public HostBusyException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

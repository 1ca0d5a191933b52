package dev.cadre.driver;

/**
 * The host cannot be reached or is not answering: missing socket, daemon down, network cut, timeout.
 * Transient by nature; drivers raise the precise kind where they know it ({@link UnreachableException},
 * {@link TimedOutException}, {@link HostBusyException}).
 */
public class UnavailableException extends DriverException {
  public UnavailableException(String host, String message) {
    super(host, message, null);
  }

  public UnavailableException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

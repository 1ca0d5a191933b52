package dev.cadre.driver;

/**
 * Root of the one exception family every driver throws. Each subclass maps to exactly one HTTP status
 * in the API; drivers translate their native failures (LXD status codes, zone command exits) into
 * these in one place.
 *
 * <p>Typed faults that a caller acts on without knowing the driver are subclasses of these, so each
 * keeps its parent's HTTP status: {@link AddressInUseException} (a {@link ConflictException}),
 * {@link HostBusyException}, {@link UnreachableException} and {@link TimedOutException} (all
 * {@link UnavailableException}s, i.e. transient).
 */
public abstract class DriverException extends RuntimeException {
  private final String host;

  protected DriverException(String host, String message, Throwable cause) {
    super(host == null ? message : host + ": " + message, cause);
    this.host = host;
  }

  /** The host the failure happened on, or null when it was refused before any host was involved. */
  public String host() {
    return host;
  }
}

package dev.cadre.driver;

/**
 * The host understood the request and tried, but the work failed there (an LXD operation ended in
 * failure, a zone command exited non-zero for a reason no other exception names).
 */
public class HostFailureException extends DriverException {
  public HostFailureException(String host, String message) {
    super(host, message, null);
  }

  public HostFailureException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

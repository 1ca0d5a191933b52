package dev.cadre.driver;

/**
 * No connection to the host could be made: refused, no route, no socket file, the connect itself timed
 * out. Nothing was sent, so nothing changed on the host.
 */
public class UnreachableException extends UnavailableException {
  public UnreachableException(String host, String message) {
    super(host, message);
  }

  public UnreachableException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

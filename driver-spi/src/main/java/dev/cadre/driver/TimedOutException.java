package dev.cadre.driver;

/**
 * A call reached the host but did not end within its deadline (no answer, an operation still running,
 * a command that did not exit). Unlike {@link UnreachableException} the work may have happened, or may
 * still be happening: a caller checks the state before repeating anything that is not idempotent.
 */
public class TimedOutException extends UnavailableException {
  public TimedOutException(String host, String message) {
    super(host, message);
  }

  public TimedOutException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

package dev.cadre.driver;

/** The host refused our credentials (untrusted certificate, wrong trust password or token). */
public class UnauthorizedException extends DriverException {
  public UnauthorizedException(String host, String message) {
    super(host, message, null);
  }

  public UnauthorizedException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

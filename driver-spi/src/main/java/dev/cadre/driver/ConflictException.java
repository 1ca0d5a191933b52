package dev.cadre.driver;

/** The request clashes with the current state: the name is taken, the instance is running, ... */
public class ConflictException extends DriverException {
  public ConflictException(String host, String message) {
    super(host, message, null);
  }

  public ConflictException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

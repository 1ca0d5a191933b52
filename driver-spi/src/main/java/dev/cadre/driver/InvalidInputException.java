package dev.cadre.driver;

/** The request itself is wrong (bad name, path, size, address); refused before anything changed. */
public class InvalidInputException extends DriverException {
  public InvalidInputException(String host, String message) {
    super(host, message, null);
  }

  public InvalidInputException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

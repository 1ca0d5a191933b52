package dev.cadre.driver;

/** The named thing (instance, image, snapshot, file, network) does not exist on the host. */
public class NotFoundException extends DriverException {
  public NotFoundException(String host, String message) {
    super(host, message, null);
  }

  public NotFoundException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}

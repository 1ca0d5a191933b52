package dev.cadre.driver;

/**
 * The host's network already has the requested static address on another NIC (a container the caller
 * does not know holds it). The caller can pick another address; retrying the same one will not help.
 */
public class AddressInUseException extends ConflictException {
  private final String address;

  public AddressInUseException(String host, String address, String message) {
    this(host, address, message, null);
  }

  public AddressInUseException(String host, String address, String message, Throwable cause) {
    super(host, message, cause);
    this.address = address;
  }

  /** The address that is taken, or null when the host did not say which. */
  public String address() {
    return address;
  }
}

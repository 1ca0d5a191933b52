package dev.cadre.driver;

/**
 * The host presented another identity than the one pinned when it was registered (an HTTPS server's
 * certificate fingerprint): whoever answers at the endpoint now is not the server cadre trusted, so no
 * call goes through until an operator trusts the new identity.
 */
public class ServerIdentityException extends UnauthorizedException {
  private final String pinned;
  private final String presented;

  public ServerIdentityException(String host, String pinned, String presented, Throwable cause) {
    super(host, "the server presents certificate " + presented + ", not the pinned " + pinned
        + " (another server answers at the endpoint, or its certificate was replaced)", cause);
    this.pinned = pinned;
    this.presented = presented;
  }

  public String pinned() {
    return pinned;
  }

  public String presented() {
    return presented;
  }
}

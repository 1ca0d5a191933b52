package dev.cadre.manager.provisioning;

/** A member could not be provisioned; the message names the member and the step and carries the hook's stderr. */
public final class MemberFailedException extends RuntimeException {
  public MemberFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}

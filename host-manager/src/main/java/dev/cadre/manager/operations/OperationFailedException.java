package dev.cadre.manager.operations;

/** An operation's work ended in failure for a reason already worded for operators. */
public final class OperationFailedException extends RuntimeException {
  public OperationFailedException(String message) {
    super(message);
  }
}

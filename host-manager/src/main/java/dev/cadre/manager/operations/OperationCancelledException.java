package dev.cadre.manager.operations;

/** Thrown by {@link OperationContext#checkCancelled()} after an operator cancelled the operation. */
public final class OperationCancelledException extends RuntimeException {
  public OperationCancelledException(String id) {
    super("operation " + id + " was cancelled");
  }
}

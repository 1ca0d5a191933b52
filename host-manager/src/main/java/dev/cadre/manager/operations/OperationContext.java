package dev.cadre.manager.operations;

/** What a running operation's work sees: where to record its steps and whether it should stop. */
public interface OperationContext {

  String id();

  /** Records a finished step. */
  void step(String name, String detail);

  /** Records a step with how it ended (failed, undone...). */
  void step(String name, StepStatus status, String detail);

  /** 0..100. */
  void progress(int percent);

  boolean cancelRequested();

  /** Throws {@link OperationCancelledException} when an operator cancelled the operation. */
  default void checkCancelled() {
    if (cancelRequested()) {
      throw new OperationCancelledException(id());
    }
  }
}

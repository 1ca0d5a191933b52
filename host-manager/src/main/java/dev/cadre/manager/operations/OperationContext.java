package dev.cadre.manager.operations;

/** What a running operation's work sees: where to record its steps and whether it should stop. */
public interface OperationContext {

  String id();

  /** Records a finished step. */
  void step(String name, String detail);

  /** Records a step with how it ended (failed, undone...). */
  void step(String name, StepStatus status, String detail);

  /**
   * Records a step that is under way (status running) and answers it: its detail follows the work as it goes
   * ({@link RunningStep#update}: a copy's bytes sent), and it ends once, done or failed, with its final detail.
   */
  RunningStep begin(String name, String detail);

  /** 0..100. */
  void progress(int percent);

  boolean cancelRequested();

  /**
   * This context for work that must run to its end even after a cancel (an undo): the same steps and
   * progress, never cancelled.
   */
  default OperationContext uncancellable() {
    OperationContext outer = this;
    return new OperationContext() {
      @Override
      public String id() {
        return outer.id();
      }

      @Override
      public void step(String name, String detail) {
        outer.step(name, detail);
      }

      @Override
      public void step(String name, StepStatus status, String detail) {
        outer.step(name, status, detail);
      }

      @Override
      public RunningStep begin(String name, String detail) {
        return outer.begin(name, detail);
      }

      @Override
      public void progress(int percent) {
        outer.progress(percent);
      }

      @Override
      public boolean cancelRequested() {
        return false;
      }
    };
  }

  /** Throws {@link OperationCancelledException} when an operator cancelled the operation. */
  default void checkCancelled() {
    if (cancelRequested()) {
      throw new OperationCancelledException(id());
    }
  }
}

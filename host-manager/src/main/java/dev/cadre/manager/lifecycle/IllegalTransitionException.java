package dev.cadre.manager.lifecycle;

/** A state change that the lifecycle's table does not allow: a bug in cadre, never a user error. */
public final class IllegalTransitionException extends IllegalStateException {
  private final Enum<?> from;
  private final Enum<?> to;

  public <S extends Enum<S> & Lifecycle<S>> IllegalTransitionException(S from, S to) {
    super(from.getDeclaringClass().getSimpleName() + " may not change from " + from.wire() + " to " + to.wire()
        + " (allowed: " + from.next().stream().map(Lifecycle::wire).sorted().toList() + ")");
    this.from = from;
    this.to = to;
  }

  public Enum<?> from() {
    return from;
  }

  public Enum<?> to() {
    return to;
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Locale;
import java.util.Set;

/**
 * A state of something with a lifecycle. Each implementing enum writes its allowed next states once, on
 * each constant's own line ({@code RUNNING("unhealthy moving deleting")}), so that adding a state is one
 * line in one place; every change goes through {@link #to}: a change the table does not allow is a bug in
 * cadre, so it throws instead of being stored.
 *
 * @param <S> the enum itself
 */
public interface Lifecycle<S extends Enum<S> & Lifecycle<S>> {

  /** This state's line of the table: the wire names it may become, separated by spaces. */
  String targets();

  /** The readable name the store keeps and the API shows ("running", "draining", ...). */
  default String wire() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
  }

  /** The states this one may change into (staying the same is always allowed: only the detail changes). */
  @SuppressWarnings("unchecked")
  default Set<S> next() {
    S self = (S) this;
    return Transitions.of(self.getDeclaringClass()).next(self);
  }

  /** True when nothing follows this state. */
  default boolean terminal() {
    return next().isEmpty();
  }

  default boolean canBecome(S target) {
    return target == this || next().contains(target);
  }

  /** Answers {@code target} when the table allows the change, else throws {@link IllegalTransitionException}. */
  @SuppressWarnings("unchecked")
  default S to(S target) {
    if (!canBecome(target)) {
      throw new IllegalTransitionException((S) this, target);
    }
    return target;
  }
}

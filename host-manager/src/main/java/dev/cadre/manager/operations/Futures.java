package dev.cadre.manager.operations;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joining the parallel steps of an operation. */
public final class Futures {
  private Futures() {}

  /**
   * Waits for every future; answers their results in order, or throws the first failure (a cancel before
   * any other) once all have ended, so that no step still runs when the caller undoes.
   */
  public static <T> List<T> joinAll(List<CompletableFuture<T>> futures) {
    List<T> out = new ArrayList<>();
    RuntimeException first = null;
    for (CompletableFuture<T> f : futures) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
        if (first == null || cause instanceof OperationCancelledException) {
          first = cause;
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return out;
  }
}

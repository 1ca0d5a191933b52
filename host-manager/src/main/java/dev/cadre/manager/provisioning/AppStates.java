package dev.cadre.manager.provisioning;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.IllegalTransitionException;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.Store;
import java.util.Optional;

/** Every change of an app's state: through its lifecycle's table, written only if no one changed it meanwhile. */
public final class AppStates {
  private final Store store;

  public AppStates(Store store) {
    this.store = store;
  }

  /**
   * Sets the app's state from its members by {@link AppState#fromMembers}; a deleting app stays deleting.
   * Answers the state it has now, or empty when the app is gone.
   */
  public Optional<AppState> follow(String app) {
    return follow(app, false);
  }

  /**
   * Like {@link #follow} for a change of health: an app that an operation is still creating or deleting
   * is left to that operation.
   */
  public Optional<AppState> followHealth(String app) {
    return follow(app, true);
  }

  private Optional<AppState> follow(String app, boolean settledOnly) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<AppRecord> now = store.app(app);
      if (now.isEmpty()) {
        return Optional.empty();
      }
      AppState from = now.get().state();
      if (from == AppState.DELETING || settledOnly && from == AppState.CREATING) {
        return Optional.of(from);
      }
      AppState to = AppState.fromMembers(store.members(app).stream().map(MemberRecord::state).toList());
      if (from == to || store.changeAppState(app, from, to)) {
        return Optional.of(to);
      }
    }
    return store.app(app).map(AppRecord::state);
  }

  /** The app is being deleted, whatever it was. */
  public void deleting(String app) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<AppRecord> now = store.app(app);
      if (now.isEmpty() || now.get().state() == AppState.DELETING
          || store.changeAppState(app, now.get().state(), AppState.DELETING)) {
        return;
      }
    }
    throw new IllegalTransitionException(store.app(app).orElseThrow().state(), AppState.DELETING);
  }
}

package dev.cadre.manager.provisioning;

import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;

/** Member state changes: stored, then announced. */
public final class MemberEvents {
  private final Store store;
  private final EventBus events;

  public MemberEvents(Store store, EventBus events) {
    this.store = store;
    this.events = events;
  }

  public Store store() {
    return store;
  }

  public MemberRecord change(MemberRecord m, MemberState state, String error) {
    MemberRecord next = m.withState(state, error);
    store.updateMember(next);
    announce(next);
    return next;
  }

  public void announce(MemberRecord m) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("member", m.name());
    data.put("app", m.app());
    data.put("service", m.service());
    data.put("host", m.host());
    data.put("ip", m.ip());
    data.put("state", m.state().wire());
    data.put("error", m.error());
    events.publish("member", subject(m), data);
  }

  public void health(MemberRecord m, boolean healthy, String detail) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("member", m.name());
    data.put("healthy", healthy);
    data.put("detail", detail);
    events.publish("health", subject(m), data);
  }

  static String subject(MemberRecord m) {
    return "apps/" + m.app() + "/" + m.service() + "/" + m.name();
  }
}

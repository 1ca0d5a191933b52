package dev.cadre.manager.lifecycle;

import java.util.List;
import java.util.stream.Collectors;

/** Every lifecycle of cadre, and its table as Markdown (the README's state machines are this, generated). */
public final class Lifecycles {
  public static final List<Class<? extends Enum<?>>> ALL =
      List.of(MemberState.class, AppState.class, ServiceState.class, HostState.class, OperationStatus.class);

  private Lifecycles() {}

  /** One table per lifecycle: each state and the states it may become. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static String markdown() {
    StringBuilder out = new StringBuilder();
    for (Class<? extends Enum<?>> type : ALL) {
      out.append("| ").append(type.getSimpleName()).append(" | may become |\n|---|---|\n");
      for (Enum<?> s : type.getEnumConstants()) {
        Lifecycle l = (Lifecycle) s;
        String next = ((java.util.Set<Lifecycle>) l.next()).stream().map(Lifecycle::wire)
            .map(w -> "`" + w + "`").collect(Collectors.joining(", "));
        out.append("| `").append(l.wire()).append("` | ").append(next.isEmpty() ? "—" : next).append(" |\n");
      }
      out.append('\n');
    }
    return out.toString().stripTrailing() + "\n";
  }
}

package dev.cadre.manager.lifecycle;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The table of one lifecycle, built from each constant's own line ({@code RUNNING("unhealthy moving
 * deleting")}) so that adding a state is one line in one place. Names are resolved once, when the enum
 * class initialises; an unknown name there fails the class (and the unit test that walks the table).
 */
public final class Transitions<S extends Enum<S> & Lifecycle<S>> {
  private final Class<S> type;
  private final Map<S, Set<S>> next;
  private final Map<String, S> byWire;

  private Transitions(Class<S> type, Map<S, Set<S>> next, Map<String, S> byWire) {
    this.type = type;
    this.next = next;
    this.byWire = byWire;
  }

  /** Reads the table: {@code targets} gives each state's allowed next states as wire names, space-separated. */
  public static <S extends Enum<S> & Lifecycle<S>> Transitions<S> of(Class<S> type,
      java.util.function.Function<S, String> targets) {
    S[] all = type.getEnumConstants();
    Map<String, S> byWire = new java.util.HashMap<>();
    for (S s : all) {
      byWire.put(s.wire(), s);
    }
    Map<S, Set<S>> next = new EnumMap<>(type);
    for (S s : all) {
      Set<S> to = EnumSet.noneOf(type);
      for (String name : targets.apply(s).trim().split("\\s+")) {
        if (name.isEmpty()) {
          continue;
        }
        S target = byWire.get(name);
        if (target == null) {
          throw new IllegalArgumentException(type.getSimpleName() + "." + s + " names an unknown next state '" + name
              + "'");
        }
        to.add(target);
      }
      next.put(s, Collections.unmodifiableSet(to));
    }
    return new Transitions<>(type, next, byWire);
  }

  public Set<S> next(S from) {
    return next.get(from);
  }

  /** The state stored as {@code wire}; an unknown value is a store written by something else, so it throws. */
  public S parse(String wire) {
    S s = wire == null ? null : byWire.get(wire);
    if (s == null) {
      throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + wire + "'; known: "
          + Arrays.stream(type.getEnumConstants()).map(Lifecycle::wire).toList());
    }
    return s;
  }

  /** The wire name of a constant: its Java name in lower case. */
  public static String wireName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }
}

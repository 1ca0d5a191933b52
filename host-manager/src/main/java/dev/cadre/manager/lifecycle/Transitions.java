package dev.cadre.manager.lifecycle;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The table of one lifecycle, read from each constant's own line ({@link Lifecycle#targets}). Names are
 * resolved once, the first time the table is asked for; an unknown name there throws (and fails the unit
 * test that walks every table).
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

  private static final ClassValue<Transitions<?>> TABLES = new ClassValue<>() {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected Transitions<?> computeValue(Class<?> type) {
      return read((Class) type);
    }
  };

  /** The table of {@code type}, read once from its constants' lines. */
  @SuppressWarnings("unchecked")
  public static <S extends Enum<S> & Lifecycle<S>> Transitions<S> of(Class<S> type) {
    return (Transitions<S>) TABLES.get(type);
  }

  /** The state of {@code type} stored as {@code wire}. */
  public static <S extends Enum<S> & Lifecycle<S>> S parse(Class<S> type, String wire) {
    return of(type).parse(wire);
  }

  private static <S extends Enum<S> & Lifecycle<S>> Transitions<S> read(Class<S> type) {
    S[] all = type.getEnumConstants();
    Map<String, S> byWire = new java.util.HashMap<>();
    for (S s : all) {
      byWire.put(s.wire(), s);
    }
    Map<S, Set<S>> next = new EnumMap<>(type);
    for (S s : all) {
      Set<S> to = EnumSet.noneOf(type);
      for (String name : s.targets().trim().split("\\s+")) {
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
}

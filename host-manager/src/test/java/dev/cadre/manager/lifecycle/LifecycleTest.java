package dev.cadre.manager.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Walks every lifecycle's whole table: every allowed change is taken, every other one throws. */
class LifecycleTest {

  static Stream<Class<? extends Enum<?>>> lifecycles() {
    return Stream.of(MemberState.class, AppState.class, HostState.class, ServiceState.class, OperationStatus.class);
  }

  @ParameterizedTest
  @MethodSource("lifecycles")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void everyPairIsAllowedExactlyWhenTheTableSaysSo(Class<? extends Enum<?>> type) {
    Lifecycle[] all = (Lifecycle[]) type.getEnumConstants();
    for (Lifecycle from : all) {
      for (Lifecycle to : all) {
        boolean allowed = from == to || from.next().contains(to);
        assertEquals(allowed, from.canBecome((Enum) to), from + " -> " + to);
        if (allowed) {
          assertSame(to, from.to((Enum) to));
        } else {
          Lifecycle f = from;
          Lifecycle t = to;
          IllegalTransitionException e = assertThrows(IllegalTransitionException.class, () -> f.to((Enum) t));
          assertTrue(e.getMessage().contains(f.wire()) && e.getMessage().contains(t.wire()), e.getMessage());
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("lifecycles")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void storedNamesReadBackAndUnknownOnesAreRefused(Class<? extends Enum<?>> type) throws Exception {
    var parse = type.getMethod("parse", String.class);
    for (Enum<?> s : type.getEnumConstants()) {
      String wire = ((Lifecycle) s).wire();
      assertEquals(s.name().toLowerCase(), wire, "the store keeps the readable name");
      assertSame(s, parse.invoke(null, wire));
    }
    var thrown = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> parse.invoke(null, "bogus"));
    assertTrue(thrown.getCause() instanceof IllegalArgumentException);
  }

  @ParameterizedTest
  @MethodSource("lifecycles")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void everyStateIsReachableFromTheFirst(Class<? extends Enum<?>> type) {
    Enum<?>[] all = type.getEnumConstants();
    Set<Enum<?>> seen = new java.util.HashSet<>(List.of(all[0]));
    Deque<Enum<?>> todo = new ArrayDeque<>(List.of(all[0]));
    while (!todo.isEmpty()) {
      for (Object n : ((Lifecycle) todo.pop()).next()) {
        if (seen.add((Enum<?>) n)) {
          todo.push((Enum<?>) n);
        }
      }
    }
    assertEquals(Set.of(all), seen, "a state nothing leads to is dead");
  }

  @Test
  void deletingIsReachableFromEveryMemberStateAndEndsTheLifecycle() {
    for (MemberState s : MemberState.values()) {
      assertTrue(s.canBecome(MemberState.DELETING), s.wire());
    }
    assertTrue(MemberState.DELETING.terminal());
    assertFalse(MemberState.RUNNING.canBecome(MemberState.CREATING));
  }

  @Test
  void operationsEndOnlyOnce() {
    for (OperationStatus end : EnumSet.of(OperationStatus.SUCCESS, OperationStatus.FAILURE, OperationStatus.CANCELLED)) {
      assertTrue(end.terminal());
      assertThrows(IllegalTransitionException.class, () -> end.to(OperationStatus.RUNNING));
    }
  }

  /** A lifecycle whose table names a state it does not have. */
  enum Broken implements Lifecycle<Broken> {
    ONE("two");

    private final String targets;

    Broken(String targets) {
      this.targets = targets;
    }

    @Override
    public String targets() {
      return targets;
    }
  }

  @Test
  void aTableNamingAnUnknownStateIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Broken.ONE.next());
    assertTrue(e.getMessage().contains("unknown next state 'two'"), e.getMessage());
  }

  @Test
  void theAppRuleIsOneRule() {
    assertEquals(AppState.FAILED, AppState.fromMembers(List.of()), "an app without members serves nothing");
    assertEquals(AppState.RUNNING, AppState.fromMembers(List.of(MemberState.RUNNING, MemberState.RUNNING)));
    assertEquals(AppState.DEGRADED, AppState.fromMembers(List.of(MemberState.RUNNING, MemberState.FAILED)));
    assertEquals(AppState.DEGRADED, AppState.fromMembers(List.of(MemberState.UNHEALTHY)),
        "an unhealthy member may recover");
    assertEquals(AppState.FAILED, AppState.fromMembers(List.of(MemberState.FAILED, MemberState.FAILED)));
  }
}

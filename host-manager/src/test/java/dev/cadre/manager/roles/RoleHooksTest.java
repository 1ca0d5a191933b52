package dev.cadre.manager.roles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RoleHooksTest {
  @Test
  void aRoleHookMayEndWithItsPositionAndAnythingElseIsNoPosition() {
    assertEquals(OptionalLong.of(1234), RoleHooks.positionIn("role: replica of 10.0.0.2\n{\"role\":\"replica\",\"position\":1234}\n"));
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn("role: replica of 10.0.0.2\n"), "an older hook says none");
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn("{\"position\":1}\nrole: primary"), "only the last line counts");
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn("{\"position\":-5}"));
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn("{\"position\":\"12\"x"));
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn("{\"position\":" + "9".repeat(5000) + "}"), "bounded");
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn(null));
    assertEquals(OptionalLong.empty(), RoleHooks.positionIn(""));
  }
}

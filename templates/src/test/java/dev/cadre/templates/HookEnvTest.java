package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookEnvTest {
  private final HookEnv.Peer one = new HookEnv.Peer("shop-cache-1", "10.77.0.130", "primary");
  private final HookEnv.Peer two = new HookEnv.Peer("shop-cache-2", "10.77.0.131", "replica");

  @Test
  void everyVariableOfTheReadmeIsThere() {
    Map<String, String> env = HookEnv.of("shop", "cache", one, 24, "10.77.0.1", List.of(one, two),
        Map.of("maxmemory", "100mb", "Max_Clients", "10"), Map.of("password", "s3cret"));
    assertEquals("shop", env.get("CADRE_APP"));
    assertEquals("cache", env.get("CADRE_SERVICE"));
    assertEquals("shop-cache-1", env.get("CADRE_MEMBER"));
    assertEquals("10.77.0.130", env.get("CADRE_MEMBER_IP"));
    assertEquals("primary", env.get("CADRE_MEMBER_ROLE"));
    assertEquals("24", env.get("CADRE_NETWORK_PREFIX"));
    assertEquals("10.77.0.1", env.get("CADRE_GATEWAY"));
    assertEquals("shop-cache-1=10.77.0.130=primary shop-cache-2=10.77.0.131=replica", env.get("CADRE_MEMBERS"));
    assertEquals("100mb", env.get("CADRE_CONFIG_MAXMEMORY"));
    assertEquals("10", env.get("CADRE_CONFIG_MAX_CLIENTS"));
    assertEquals("s3cret", env.get("CADRE_SECRET_PASSWORD"));
    assertTrue(env.keySet().stream().allMatch(k -> k.startsWith("CADRE_")));
  }

  @Test
  void badKeysValuesAndAddressesAreRefused() {
    assertThrows(InvalidInputException.class, () -> HookEnv.key("1abc"));
    assertThrows(InvalidInputException.class, () -> HookEnv.key("a-b"));
    assertThrows(InvalidInputException.class, () -> HookEnv.key("a b"));
    assertEquals("A_B9", HookEnv.key("a_b9"));
    assertThrows(InvalidInputException.class, () -> new HookEnv.Peer("m;1", "10.0.0.1", "primary"));
    assertThrows(InvalidInputException.class, () -> new HookEnv.Peer("m1", "10.0.0.256", "primary"));
    assertThrows(InvalidInputException.class, () -> new HookEnv.Peer("m1", "10.0.0.01", "primary"));
    assertThrows(InvalidInputException.class, () -> new HookEnv.Peer("m1", "10.0.0.1", "pri mary"));
    assertThrows(InvalidInputException.class,
        () -> HookEnv.of("shop", "cache", one, 24, null, List.of(one), Map.of("k", "two\nlines"), Map.of()));
    assertThrows(InvalidInputException.class,
        () -> HookEnv.of("shop", "cache", one, 33, null, List.of(one), Map.of(), Map.of()));
    assertThrows(InvalidInputException.class,
        () -> HookEnv.of("shop app", "cache", one, 24, null, List.of(one), Map.of(), Map.of()));
    Map<String, String> clash = new LinkedHashMap<>();
    clash.put("key", "a");
    clash.put("KEY", "b");
    assertThrows(InvalidInputException.class, () -> HookEnv.of("shop", "cache", one, 24, null, List.of(one), clash, Map.of()));
  }
}

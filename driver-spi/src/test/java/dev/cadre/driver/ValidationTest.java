package dev.cadre.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "web-1", "A1b2", "x123456789012345678901234567890123456789012345678901234567890ab"})
  void acceptsDnsLabels(String name) {
    assertEquals(name, Validation.requireInstanceName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1abc", "-a", "a-", "a_b", "a.b", "../x", "a b", "a;b", "é",
      "x1234567890123456789012345678901234567890123456789012345678901234"})
  void refusesEverythingElse(String name) {
    assertThrows(InvalidInputException.class, () -> Validation.requireInstanceName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/etc/hosts", "/opt/cadre/hooks/plan", "/a b/c"})
  void acceptsNormalizedAbsolutePaths(String path) {
    assertEquals(path, Validation.requireAbsolutePath(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "etc", "/etc/", "//etc", "/etc/../x", "/./x", "/x/..", "/a\0b"})
  void refusesOtherPaths(String path) {
    assertThrows(InvalidInputException.class, () -> Validation.requireAbsolutePath(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "255.255.255.255", "0.0.0.0"})
  void acceptsIpv4(String ip) {
    assertEquals(ip, Validation.requireIpv4(ip));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0", "10.0.0.256", "10.0.0.01", "a.b.c.d", "10.0.0.1/24", " 10.0.0.1", "::1"})
  void refusesOtherAddresses(String ip) {
    assertThrows(InvalidInputException.class, () -> Validation.requireIpv4(ip));
  }
}

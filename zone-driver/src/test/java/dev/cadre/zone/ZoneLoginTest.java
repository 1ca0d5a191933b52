package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The script that gives a zone command its environment through stdin, run by every shell it may meet
 * in a zone (ksh93 as illumos' /bin/sh, dash, bash and busybox sh in lx zones), each where installed.
 */
class ZoneLoginTest {
  private static final Duration T = Duration.ofSeconds(20);

  static List<String> shells() {
    return ShellQuoteTest.shells();
  }

  /** Every hostile value as V0..Vn, plus names the script uses for itself. */
  static Map<String, String> hostileEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < ShellQuoteTest.HOSTILE.size(); i++) {
      env.put("V" + i, ShellQuoteTest.HOSTILE.get(i));
    }
    env.put("n", "1\nexport X=1\n");
    env.put("s", "$(touch /tmp/cadre-pwned)");
    env.put("l", "trailing newlines\n\n");
    env.put("nl", "");
    return env;
  }

  /** The command that prints each variable of {@code env} NUL-terminated, then copies its stdin. */
  static List<String> printer(Map<String, String> env) {
    StringBuilder script = new StringBuilder("printf '%s\\0'");
    env.keySet().forEach(name -> script.append(" \"$").append(name).append('"'));
    return List.of("sh", "-c", script.append("; cat").toString());
  }

  /** What {@link #printer} wrote: each value exactly, then all of {@code stdin}. */
  static void assertPrinted(Map<String, String> env, byte[] stdin, CommandResult r) {
    assertEquals(0, r.exitCode(), r.stderrText());
    int end = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
      assertEquals(e.getValue(), new String(Arrays.copyOfRange(r.stdout(), end, end + value.length), StandardCharsets.UTF_8),
          e.getKey());
      assertEquals(0, r.stdout()[end + value.length], e.getKey() + " ends there");
      end += value.length + 1;
    }
    assertArrayEquals(stdin, Arrays.copyOfRange(r.stdout(), end, r.stdout().length), "stdin after the variables");
  }

  private static CommandResult run(String shell, List<String> argv, byte[] stdin) {
    List<String> local = new ArrayList<>(shell.endsWith("busybox") ? List.of(shell, "sh") : List.of(shell));
    // the wrapped vector is "sh -c SCRIPT sh ARGV..."; the shell under test takes the place of sh
    local.addAll(argv.subList(1, argv.size()));
    return new LocalCommandRunner("local").run(local, stdin, T);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @ParameterizedTest
  @MethodSource("shells")
  void theCommandGetsEveryValueExactlyAndAllOfItsOwnStdin(String shell) {
    Map<String, String> env = hostileEnvironment();
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    CommandResult r = run(shell, ZoneLogin.withEnvironment(printer(env)), concat(ZoneLogin.environment(env), data));
    assertPrinted(env, data, r);
    assertFalse(Files.exists(Path.of("/tmp/cadre-pwned")), "a value was executed");
  }

  @ParameterizedTest
  @MethodSource("shells")
  void theScriptsOwnVariablesStayOutOfTheCommandsEnvironment(String shell) {
    List<String> argv = List.of("sh", "-c", "for v in n l s nl; do eval \"[ -z \\\"\\${$v+set}\\\" ]\" || echo \"$v\"; done; "
        + "printf %s \"$ONLY\"");
    CommandResult r = run(shell, ZoneLogin.withEnvironment(argv), ZoneLogin.environment(Map.of("ONLY", "x")));
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals("x", r.stdoutText());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aShortEnvironmentRunsNothingAndAMissingCommandIs127(String shell) {
    byte[] whole = ZoneLogin.environment(Map.of("A", "1", "B", "two\nlines"));
    List<String> touch = ZoneLogin.withEnvironment(List.of("touch", "/tmp/cadre-pwned"));
    for (int cut : new int[] {0, 2, whole.length - 1}) {
      CommandResult r = run(shell, touch, Arrays.copyOf(whole, cut));
      assertEquals(126, r.exitCode(), "cut at " + cut + ": " + r.stderrText());
      assertTrue(r.stderrText().contains("the environment did not arrive"), r.stderrText());
    }
    assertFalse(Files.exists(Path.of("/tmp/cadre-pwned")), "a command ran with part of its environment");
    CommandResult missing = run(shell, ZoneLogin.withEnvironment(List.of("no-such-command-in-the-zone")), whole);
    assertEquals(127, missing.exitCode(), missing.stderrText());
  }

  @Test
  void theLinesAreCountedAndEveryValueQuoted() {
    String text = new String(ZoneLogin.environment(Map.of("B", "two\nlines", "A", "it's")), StandardCharsets.UTF_8);
    assertEquals("3\nexport A='it'\\''s'\nexport B='two\nlines'\n", text);
  }

  @Test
  void badNamesAreRefusedAsInvalidInput() {
    for (String bad : List.of("", "1A", "A B", "A;B", "A=B", "$(id)", "A-B", "Ä", "A\nB")) {
      assertThrows(InvalidInputException.class, () -> ZoneLogin.environment(Map.of(bad, "x")), bad);
    }
  }
}

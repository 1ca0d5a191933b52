package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecResult;
import dev.cadre.driver.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void argvRunsTheAgentThroughShWithWholeSeconds() {
    assertEquals(List.of("/bin/sh", "/opt/cadre/agent", "run", "configure", "op-12.3_a", "90"),
        Agent.argv("configure", "op-12.3_a", Duration.ofSeconds(90)));
    assertEquals("2", Agent.argv("start", "x", Duration.ofMillis(1500)).get(5));
    assertEquals("86400", Agent.argv("start", "x", Duration.ofDays(1)).get(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Start", "1start", "-start", "../start", "start/x", "a;b", "a b", "a$b", "a\nb",
      "abcdefghijklmnopqrstuvwxyz0123456", "st`x`", "a.b"})
  void badHookNamesAreRefusedBeforeAnythingRuns(String hook) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Agent.argv(hook, "id1", Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("hook name"), e.getMessage());
  }

  @Test
  void theLongestHookNameIsAccepted() {
    Agent.requireHookName("a" + "b-9".repeat(10) + "z");
    assertThrows(InvalidInputException.class, () -> Agent.requireHookName(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".x", "-x", "_x", "a/b", "a b", "a;b", "a..b/c", "é"})
  void badCommandIdsAreRefused(String id) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Agent.argv("start", id, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("command id"), e.getMessage());
  }

  @Test
  void commandIdsUpTo64CharactersAreAccepted() {
    Agent.requireCommandId("A".repeat(64));
    Agent.requireCommandId("0a.b_c-D");
    assertThrows(InvalidInputException.class, () -> Agent.requireCommandId("A".repeat(65)));
  }

  @Test
  void timeoutsOutsideOneSecondToOneDayAreRefused() {
    for (Duration d : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1), Duration.ofSeconds(86_401)}) {
      assertThrows(InvalidInputException.class, () -> Agent.argv("start", "id", d), String.valueOf(d));
    }
    assertEquals("1", Agent.argv("start", "id", Duration.ofMillis(1)).get(5));
    assertEquals(Duration.ofSeconds(40), Agent.execTimeout(Duration.ofSeconds(10)));
  }

  @Test
  void parseSplitsTheHookOutputFromTheResultLine() {
    String out = "line one\nline two\n"
        + "{\"cadre\":1,\"id\":\"c1\",\"hook\":\"plan\",\"exit\":0,\"started\":\"2026-01-01T00:00:00Z\","
        + "\"finished\":\"2026-01-01T00:00:01Z\",\"replayed\":false}\n";
    HookResult r = Agent.parse(0, b(out), b("warn\n"));
    assertEquals("c1", r.id());
    assertEquals("plan", r.hook());
    assertEquals(0, r.exit());
    assertEquals("line one\nline two\n", r.output());
    assertEquals("warn\n", r.stderr());
    assertFalse(r.replayed());
    assertTrue(r.ok());
    assertEquals("done", r.meaning());
  }

  @Test
  void parseReadsExitAndReplayFromTheResultLine() {
    String out = "{\"cadre\":1,\"id\":\"c2\",\"hook\":\"start\",\"exit\":2,\"started\":\"a\",\"finished\":\"b\",\"replayed\":true}";
    HookResult r = Agent.parse(2, b(out), null);
    assertEquals(2, r.exit());
    assertEquals("", r.output());
    assertTrue(r.replayed());
    assertFalse(r.ok());
    assertEquals("retry later", r.meaning());
  }

  @Test
  void withoutAResultLineTheExitIsKeptAndStderrExplains() {
    HookResult missing = Agent.parse(127, b(""), b("sh: /opt/cadre/agent: not found"));
    assertEquals(127, missing.exit());
    assertNull(missing.id());
    assertTrue(missing.stderr().startsWith("sh: /opt/cadre/agent: not found\n"), missing.stderr());
    assertTrue(missing.stderr().contains("missing in the container"), missing.stderr());

    HookResult refused = Agent.parse(64, null, b("cadre-agent: invalid hook name\n"));
    assertEquals(64, refused.exit());
    assertTrue(refused.stderr().contains("refused"), refused.stderr());

    HookResult garbage = Agent.parse(137, b("half a line {\"cadre\":1,"), b(""));
    assertEquals(137, garbage.exit());
    assertEquals("half a line {\"cadre\":1,", garbage.output());
    assertTrue(garbage.stderr().contains("no result line"), garbage.stderr());
    assertEquals("failed (exit 137)", garbage.meaning());
  }

  @Test
  void aBrokenResultLineIsNotTrusted() {
    HookResult r = Agent.parse(1, b("out\n{\"cadre\":1,\"id\":\"x\",\"exit\":\"zero\"}\n"), b(""));
    assertNull(r.hook());
    assertEquals(1, r.exit());
  }

  @Test
  void anAnswerCutAtTheOutputLimitIsOutputTooLargeWhateverItsExit() {
    String line = "{\"cadre\":1,\"id\":\"c3\",\"hook\":\"health\",\"exit\":0,\"started\":\"a\",\"finished\":\"b\","
        + "\"replayed\":false}\n";
    HookResult r = Agent.parse(new ExecResult(0, new byte[1024 * 1024], b("noise"), 524_288_000L - 1024 * 1024 + 200, 0),
        false);
    assertEquals(HookExit.OUTPUT_TOO_LARGE, r.exit());
    assertFalse(r.ok());
    assertFalse(HookExit.retryable(r.exit()));
    assertEquals("output too large", r.meaning());
    assertEquals("", r.output());
    assertEquals("cadre: hook output too large (kept 1 MiB of 524288200 bytes on stdout)\n", r.stderr());

    HookResult err = Agent.parse(new ExecResult(137, b(line), new byte[4096], 0, 10), true);
    assertEquals(HookExit.OUTPUT_TOO_LARGE, err.exit());
    assertEquals("cadre: hook output too large (kept 4096 bytes of at least 4106 bytes on stderr); the agent was"
        + " stopped there\n", err.stderr());

    HookResult whole = Agent.parse(new ExecResult(0, b(line), b("")), true);
    assertEquals("c3", whole.id());
    assertTrue(whole.ok());
  }

  @Test
  void aLastLineLongerThanAResultLineIsNotParsedAsOne() {
    String padded = "{\"cadre\":1,\"id\":\"c4\",\"hook\":\"plan\",\"exit\":0,\"pad\":\"" + "x".repeat(5000) + "\"}";
    HookResult r = Agent.parse(0, b(padded + "\n"), b(""));
    assertNull(r.id());
  }

  @Test
  void nulBytesFromAHookDoNotReachTheText() {
    HookResult r = Agent.parse(1, b("a\0b"), b("c\0d"));
    assertFalse(r.output().contains("\0"));
    assertFalse(r.stderr().contains("\0"));
    assertTrue(r.output().startsWith("a\uFFFDb"), r.output());
  }

  @Test
  void theScriptIsAPosixShellScript() {
    String script = new String(Agent.script(), StandardCharsets.UTF_8);
    assertTrue(script.startsWith("#!/bin/sh\n"));
    assertFalse(script.contains("[["), "no bash tests");
    assertFalse(script.contains("local "), "no local variables (not in POSIX sh)");
    assertEquals("/opt/cadre/agent", Agent.PATH);
  }

  @Test
  void theExitTableSaysWhatEachCodeMeans() {
    assertEquals("hook not implemented", HookExit.describe(HookExit.NOT_IMPLEMENTED));
    assertEquals("timed out", HookExit.describe(124));
    assertEquals("out of memory", HookExit.describe(3));
    assertEquals("bad request to the agent", HookExit.describe(64));
    assertTrue(HookExit.describe(75).startsWith("busy"));
    assertEquals("failed (exit 9)", HookExit.describe(9));
    assertTrue(HookExit.retryable(HookExit.RETRY_LATER));
    assertTrue(HookExit.retryable(HookExit.BUSY));
    assertFalse(HookExit.retryable(HookExit.FAILED));
  }
}

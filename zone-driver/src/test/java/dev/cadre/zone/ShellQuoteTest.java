package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The quoting every ssh and zlogin command line depends on, checked against a real POSIX shell. */
class ShellQuoteTest {
  static final List<String> HOSTILE = List.of(
      "", " ", "'", "''", "\"", "a'b", "it's \"quoted\"", "$(touch /tmp/cadre-pwned)", "`touch /tmp/cadre-pwned`",
      "${HOME}", "$HOME", "a;b", "a && b", "a | b", "x > /tmp/cadre-pwned", "<", "\n", "line one\nline two", "\\",
      "\\'", "'\\''", "*", "?", "[a-z]", "~", "~root", "#not a comment", "-rf", "--", "A=b", "é ü 漢字", "\t", "!",
      "!!", "{a,b}", "%1", "@", "trailing space ", " leading", "\r\n", "a\u0001b", "'$(id)'\"$(id)\"");

  @Test
  void plainWordsStayReadableEverythingElseIsSingleQuoted() {
    assertEquals("zoneadm", ShellQuote.quote("zoneadm"));
    assertEquals("/zones/web1", ShellQuote.quote("/zones/web1"));
    assertEquals("-cp", ShellQuote.quote("-cp"));
    assertEquals("''", ShellQuote.quote(""));
    assertEquals("'a b'", ShellQuote.quote("a b"));
    assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
    assertEquals("'A=b'", ShellQuote.quote("A=b"), "a bare first word A=b would be an assignment");
    assertEquals("'~'", ShellQuote.quote("~"));
  }

  @Test
  void nulCannotBeQuoted() {
    assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
  }

  /**
   * The shells a joined line may meet: Debian's /bin/sh (dash), bash (root's login shell on OmniOS and
   * SmartOS), ksh93 (illumos' /bin/sh) and busybox sh, each where it is installed.
   */
  static List<String> shells() {
    return List.of("/bin/sh", "/bin/bash", "/usr/bin/ksh93", "/bin/busybox").stream()
        .filter(s -> Files.isExecutable(Path.of(s))).toList();
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aRealShellSplitsTheJoinedLineBackIntoExactlyTheArguments(String shell) {
    List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
    argv.addAll(HOSTILE);
    assertEquals(HOSTILE, splitNul(run(shell, ShellQuote.join(argv))));
    assertFalse(Files.exists(Path.of("/tmp/cadre-pwned")), "a quoted argument was executed");
  }

  @ParameterizedTest
  @MethodSource("shells")
  void quotingTwiceSurvivesTwoShellsLikeSshThenZlogin(String shell) {
    List<String> inner = new ArrayList<>(List.of("printf", "%s\\0"));
    inner.addAll(HOSTILE);
    // ssh hands the outer line to the login shell; that runs sh -c with the inner line, like zlogin's su -c
    String outer = ShellQuote.join(List.of("sh", "-c", ShellQuote.join(inner)));
    assertEquals(HOSTILE, splitNul(run(shell, outer)));
  }

  @Test
  void theSimulatorsSplitterAgreesWithTheShellOnQuotedLines() {
    for (String s : HOSTILE) {
      assertEquals(List.of("x", s, "y"), PosixWords.split(ShellQuote.join(List.of("x", s, "y"))), s);
    }
  }

  @Test
  void theSimulatorsSplitterRefusesWhatAShellWouldExpand() {
    for (String line : List.of("echo $(id)", "echo `id`", "a; b", "a | b", "a > f", "echo *", "A=b cmd", "echo ~",
        "echo \"$HOME\"", "echo 'open", "a\nb", "echo {a,b}")) {
      assertThrows(PosixWords.UnsafeLine.class, () -> PosixWords.split(line), line);
    }
    assertEquals(List.of("a b", "c\"d", "e"), PosixWords.split("\"a b\" c\\\"d 'e'"));
  }

  static String run(String shell, String line) {
    List<String> argv = shell.endsWith("busybox") ? List.of(shell, "sh", "-c", line) : List.of(shell, "-c", line);
    CommandResult r = new LocalCommandRunner("local").run(argv, null, Duration.ofSeconds(10));
    assertEquals(0, r.exitCode(), r.stderrText());
    return new String(r.stdout(), StandardCharsets.UTF_8);
  }

  static List<String> splitNul(String out) {
    List<String> parts = new ArrayList<>(Arrays.asList(out.split("\0", -1)));
    assertEquals("", parts.remove(parts.size() - 1), "output ends with NUL");
    return parts;
  }
}

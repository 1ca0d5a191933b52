package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent script for real, as a local process under each shell it must run in: busybox sh (as in
 * the busybox image), dash (Debian's /bin/sh), bash, and ksh (illumos' /bin/sh) when it is installed.
 */
class AgentScriptIT {
  @TempDir Path root;

  static Stream<String> shells() {
    List<String> out = new ArrayList<>(List.of("busybox sh", "dash", "bash"));
    if (onPath("ksh")) {
      out.add("ksh");
    }
    return out.stream();
  }

  private static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, cmd))) {
        return true;
      }
    }
    return false;
  }

  private LocalAgent agent(String shell) throws IOException {
    String first = shell.split(" ")[0];
    Assumptions.assumeTrue(onPath(first) || shell.equals("dash"), first + " is not installed");
    return new LocalAgent(List.of(shell.split(" ")), root);
  }

  @ParameterizedTest
  @MethodSource("shells")
  void theHookGetsThePayloadOnStdinAndAsAFileWithTheCadreEnvironment(String shell) throws IOException {
    LocalAgent a = agent(shell);
    a.hook("configure", """
        echo "file=$(cat "$1")"
        echo "stdin=$(cat)"
        echo "same=$([ "$1" = "$CADRE_PAYLOAD" ] && echo yes)"
        echo "env=$CADRE_HOOK/$CADRE_COMMAND_ID/$CADRE_APP/$CADRE_CONFIG_MAXMEMORY"
        echo "mode=$(ls -l "$1" | cut -c1-10)"
        echo "cwd=$(pwd)"
        """);
    LocalAgent.Run r = a.run("{\"member\":\"m1\"}", Map.of("CADRE_APP", "shop", "CADRE_CONFIG_MAXMEMORY", "100mb"),
        "run", "configure", "cmd-1", "10");
    assertEquals(0, r.exit(), r.stderr());
    String out = r.result().output();
    assertTrue(out.contains("file={\"member\":\"m1\"}\n"), out);
    assertTrue(out.contains("stdin={\"member\":\"m1\"}\n"), out);
    assertTrue(out.contains("same=yes\n"), out);
    assertTrue(out.contains("env=configure/cmd-1/shop/100mb\n"), out);
    assertTrue(out.contains("mode=-rw-------\n"), out);
    assertTrue(out.contains("cwd=/\n"), out);
    assertEquals("cmd-1", r.result().id());
    assertEquals("configure", r.result().hook());
    assertFalse(r.result().replayed());
    String last = r.stdout().substring(r.stdout().stripTrailing().lastIndexOf('\n') + 1).strip();
    assertTrue(last.matches("\\{\"cadre\":1,\"id\":\"cmd-1\",\"hook\":\"configure\",\"exit\":0,"
        + "\"started\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\",\"finished\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\","
        + "\"replayed\":false}"), last);
    assertTrue(Files.exists(a.journal().resolve("cmd-1.result")));
    assertFalse(Files.exists(a.journal().resolve("cmd-1.payload")), "the payload outlived its hook");
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aCommandDeliveredTwiceRunsOnceAndReplaysItsAnswer(String shell) throws IOException {
    LocalAgent a = agent(shell);
    Path count = root.resolve("count");
    a.hook("start", "echo x >> '" + count + "'\necho 'started once'\necho 'to stderr' >&2\nexit 3\n");
    LocalAgent.Run first = a.run("{}", Map.of(), "run", "start", "once-1", "10");
    LocalAgent.Run second = a.run("{}", Map.of(), "run", "start", "once-1", "10");
    assertEquals(1, Files.readAllLines(count).size(), "the hook ran more than once");
    assertEquals(3, first.exit());
    assertEquals(3, second.exit());
    assertFalse(first.result().replayed());
    assertTrue(second.result().replayed());
    assertEquals(first.result().output(), second.result().output());
    assertEquals("started once\n", second.result().output());
    assertTrue(second.stderr().contains("to stderr"), second.stderr());
    assertEquals("out of memory", second.result().meaning());

    LocalAgent.Run other = a.run("{}", Map.of(), "run", "stop", "once-1", "10");
    assertEquals(64, other.exit(), "the same id for another hook is a bad request");
    assertTrue(other.stderr().contains("another hook"), other.stderr());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void recordsOlderThanADayAreSweptOnceADay(String shell) throws Exception {
    LocalAgent a = agent(shell);
    a.hook("health", "echo fine\n");
    assertEquals(0, a.run("", Map.of(), "run", "health", "h1", "10").exit());
    Path old = a.journal().resolve("h0.result");
    Files.writeString(old, "{}\n");
    Path recent = a.journal().resolve("h1.result");
    java.nio.file.attribute.FileTime twoDaysAgo = java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(java.time.Duration.ofDays(2)));
    Files.setLastModifiedTime(old, twoDaysAgo);
    assertEquals(0, a.run("", Map.of(), "run", "health", "h2", "10").exit());
    assertTrue(Files.exists(old), "swept again within the day");
    // the mark holds the day of the last sweep: a mark of another day sweeps again
    Files.writeString(a.journal().resolve(".swept"), "2000-01-01\n");
    assertEquals(0, a.run("", Map.of(), "run", "health", "h3", "10").exit());
    assertFalse(Files.exists(old), "a two-day-old record was kept");
    assertTrue(Files.exists(recent));
  }

  @ParameterizedTest
  @MethodSource("shells")
  void theResultLineIsOnItsOwnLineWhenTheOutputLacksANewline(String shell) throws IOException {
    LocalAgent a = agent(shell);
    a.hook("plan", "printf '{\"topologies\":[\"single\"]}'\n");
    LocalAgent.Run r = a.run("", Map.of(), "run", "plan", "p1", "10");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("{\"topologies\":[\"single\"]}\n", r.result().output());
    assertEquals("p1", r.result().id());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aHookPastItsTimeoutIsKilledWithItsChildrenAndAnswers124(String shell) throws Exception {
    LocalAgent a = agent(shell);
    Path pids = root.resolve("pids");
    int hang = 300;
    a.hook("slow", "sleep " + hang + " &\necho $! > '" + pids + "'\necho $$ >> '" + pids + "'\necho begun\nsleep " + hang + "\n");
    long t0 = System.nanoTime();
    LocalAgent.Run r = a.run("", Map.of(), "run", "slow", "slow-1", "1");
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(124, r.exit(), r.stderr());
    assertEquals(124, r.result().exit());
    assertEquals("timed out", r.result().meaning());
    assertTrue(r.result().output().contains("begun"), r.result().output());
    // ended by the 1 s timeout, not by the hook: a bound against the hook's sleep, not the machine
    assertTrue(seconds < hang / 2.0, "took " + seconds + " s; the hook sleeps " + hang + " s");
    for (String pid : Files.readAllLines(pids)) {
      // the kill is sent by now; how soon the process is gone is the machine's business, so ask until it is
      boolean alive = aliveNotZombie(pid.strip());
      for (int i = 0; i < 100 && alive; i++) {
        Thread.sleep(100);
        alive = aliveNotZombie(pid.strip());
      }
      assertFalse(alive, "process " + pid + " of the hook survived the timeout");
    }
    // the timed-out answer is journaled like any other
    assertEquals(124, a.run("", Map.of(), "run", "slow", "slow-1", "1").exit());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aHookThatFloodsItsOutputIsKilledAtOnceAndItsJournalCut(String shell) throws Exception {
    LocalAgent a = agent(shell);
    a.hook("flood", "echo begun\nexec yes\n");
    long t0 = System.nanoTime();
    LocalAgent.Run r = a.run("", Map.of(), "run", "flood", "flood-1", "300");
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(125, r.exit(), r.stderr());
    assertEquals("output too large", r.result().meaning());
    assertTrue(r.stderr().contains("cadre-agent: the hook wrote more than 524288 bytes"), r.stderr());
    // killed by the agent's watch on the journal, not by the 300 s timeout
    assertTrue(seconds < 150, "took " + seconds + " s");
    long kept = Files.size(a.journal().resolve("flood-1.out"));
    assertEquals(524288, kept, "the journal keeps exactly the cap");
    // replayed like any other answer
    assertEquals(125, a.run("", Map.of(), "run", "flood", "flood-1", "300").exit());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aMissingOrNonExecutableHookIsNotImplemented(String shell) throws IOException {
    LocalAgent a = agent(shell);
    LocalAgent.Run r = a.run("", Map.of(), "run", "backup", "b1", "10");
    assertEquals(127, r.exit());
    assertEquals(127, r.result().exit());
    assertTrue(r.stderr().contains("hook not implemented"), r.stderr());
    Files.writeString(a.hooks().resolve("restore"), "#!/bin/sh\necho ran\n");
    LocalAgent.Run notExec = a.run("", Map.of(), "run", "restore", "r1", "10");
    assertEquals(127, notExec.exit());
    assertFalse(notExec.stdout().contains("ran"));
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aHookThatEndsWith127BecauseACommandIsMissingHasFailed(String shell) throws IOException {
    LocalAgent a = agent(shell);
    a.hook("start", "no-such-command-here\n");
    LocalAgent.Run r = a.run("", Map.of(), "run", "start", "s127", "10");
    assertEquals(1, r.exit(), r.stderr());
    assertEquals(1, r.result().exit());
    assertTrue(r.stderr().contains("recorded as failed"), r.stderr());
  }

  @ParameterizedTest
  @MethodSource("shells")
  void badNamesAndTimeoutsAreRefusedAndNothingRuns(String shell) throws IOException {
    LocalAgent a = agent(shell);
    Path marker = root.resolve("ran");
    a.hook("start", "touch '" + marker + "'\n");
    Files.writeString(root.resolve("evil"), "#!/bin/sh\ntouch '" + marker + "'\n");
    root.resolve("evil").toFile().setExecutable(true);
    List<List<String>> bad = List.of(
        List.of("run", "../../evil", "id1", "10"),
        List.of("run", "start/../../../evil", "id1", "10"),
        List.of("run", "start;touch " + marker, "id1", "10"),
        List.of("run", "$(touch " + marker + ")", "id1", "10"),
        List.of("run", "Start", "id1", "10"),
        List.of("run", "start", "../id", "10"),
        List.of("run", "start", "id 1", "10"),
        List.of("run", "start", "-id", "10"),
        List.of("run", "start", "x".repeat(65), "10"),
        List.of("run", "start", "id1", "0"),
        List.of("run", "start", "id1", "-5"),
        List.of("run", "start", "id1", "86401"),
        List.of("run", "start", "id1", "010"),
        List.of("run", "start", "id1", "1s"),
        List.of("run", "start", "id1"),
        List.of("exec", "start", "id1", "10"));
    for (List<String> args : bad) {
      LocalAgent.Run r = a.run("{}", Map.of(), args.toArray(String[]::new));
      assertEquals(64, r.exit(), args + ": " + r.stderr());
      assertFalse(r.stderr().isBlank(), args.toString());
      assertEquals(64, r.result().exit());
    }
    assertFalse(Files.exists(marker), "a refused request ran something");
    assertFalse(Files.exists(a.journal()), "a refused request wrote to the journal");
  }

  @ParameterizedTest
  @MethodSource("shells")
  void concurrentCommandsRunOneAtATime(String shell) throws Exception {
    LocalAgent a = agent(shell);
    Path log = root.resolve("intervals");
    a.hook("work", "echo \"in $CADRE_COMMAND_ID\" >> '" + log + "'\nsleep 0.5\necho \"out $CADRE_COMMAND_ID\" >> '" + log + "'\n");
    List<CompletableFuture<LocalAgent.Run>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = "c" + i;
      runs.add(CompletableFuture.supplyAsync(() -> a.run("", Map.of(), "run", "work", id, "30")));
    }
    for (CompletableFuture<LocalAgent.Run> f : runs) {
      assertEquals(0, f.get().exit(), f.get().stderr());
    }
    List<String> lines = Files.readAllLines(log);
    assertEquals(8, lines.size(), lines.toString());
    for (int i = 0; i < 8; i += 2) {
      assertTrue(lines.get(i).startsWith("in "), lines.toString());
      assertEquals(lines.get(i).replace("in ", "out "), lines.get(i + 1), "hooks overlapped: " + lines);
    }
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aCommandThatCannotGetTheLockInTimeIsBusyAndDoesNotRun(String shell) throws Exception {
    LocalAgent a = agent(shell);
    Path marker = root.resolve("short-ran");
    Path release = root.resolve("release");
    // holds the lock until the test says so: no race between its sleep and the machine's speed
    a.hook("long", "while [ ! -e '" + release + "' ]; do sleep 0.05; done\n");
    a.hook("short", "touch '" + marker + "'\n");
    CompletableFuture<LocalAgent.Run> holder = CompletableFuture.supplyAsync(() -> a.run("", Map.of(), "run", "long", "l1", "30"));
    Path lock = root.resolve("var/lib/cadre/lock/pid");
    for (int i = 0; i < 1500 && !Files.exists(lock); i++) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(lock), "the long hook never took the lock");
    LocalAgent.Run busy = a.run("", Map.of(), "run", "short", "s1", "1");
    assertEquals(75, busy.exit(), busy.stderr());
    assertEquals("busy: another hook held the lock", busy.result().meaning());
    assertFalse(Files.exists(marker));
    Files.createFile(release);
    assertEquals(0, holder.get(60, java.util.concurrent.TimeUnit.SECONDS).exit());
    // nothing was journaled for the busy command: delivered again, it runs
    assertEquals(0, a.run("", Map.of(), "run", "short", "s1", "5").exit());
    assertTrue(Files.exists(marker));
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aLockLeftByADeadAgentIsBroken(String shell) throws IOException {
    LocalAgent a = agent(shell);
    a.hook("start", "echo ok\n");
    Path lock = Files.createDirectories(root.resolve("var/lib/cadre/lock"));
    Files.writeString(lock.resolve("pid"), deadPid() + "\n");
    LocalAgent.Run r = a.run("", Map.of(), "run", "start", "after-crash", "5");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("ok\n", r.result().output());
    assertFalse(Files.exists(lock), "the lock was not released");
  }

  private static long deadPid() throws IOException {
    try {
      Process p = new ProcessBuilder("true").start();
      p.waitFor();
      return p.pid();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static boolean aliveNotZombie(String pid) throws IOException {
    Path stat = Path.of("/proc", pid, "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    try {
      String s = Files.readString(stat);
      return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }
}

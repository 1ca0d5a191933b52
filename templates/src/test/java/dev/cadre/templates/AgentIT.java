package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.FileSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent inside a real LXD container (the 1 MB busybox image), pushed and run through the LXD driver. */
class AgentIT {
  private final TestHost host = new TestHost();
  private final AgentClient agent = new AgentClient(host.driver);

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void aHookRunsOnceForACommandDeliveredTwiceAndAFailingHooksStderrComesBack() {
    String name = host.launch("tpl-agent", host.busyboxImage(), "10.77.0.120");
    agent.install(name);
    // the plain busybox image has no hooks folder (template images do)
    assertEquals(0, host.driver.exec(name, ExecRequest.of("mkdir", "/opt/cadre/hooks")).exitCode());
    host.driver.pushFile(name, FileSpec.of("/opt/cadre/hooks/configure", """
        #!/bin/sh
        echo run >> /tmp/configure.count
        echo "member $CADRE_MEMBER payload $(cat "$1") stdin $(cat)"
        """.getBytes(StandardCharsets.UTF_8), 0755));
    host.driver.pushFile(name, FileSpec.of("/opt/cadre/hooks/health", """
        #!/bin/sh
        echo "the page is not there" >&2
        exit 1
        """.getBytes(StandardCharsets.UTF_8), 0755));

    byte[] payload = "{\"member\":\"m1\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> env = Map.of("CADRE_MEMBER", "m1");
    HookResult first = agent.run(name, "configure", "op-1-configure", payload, env, Duration.ofSeconds(20));
    HookResult second = agent.run(name, "configure", "op-1-configure", payload, env, Duration.ofSeconds(20));
    assertEquals(0, first.exit(), first.stderr());
    assertFalse(first.replayed());
    assertEquals("member m1 payload {\"member\":\"m1\"} stdin {\"member\":\"m1\"}\n", first.output());
    assertTrue(second.replayed());
    assertEquals(first.output(), second.output());
    String count = host.driver.exec(name, ExecRequest.of("cat", "/tmp/configure.count")).stdoutText();
    assertEquals("run\n", count, "the hook ran more than once");

    for (int i = 0; i < 10; i++) {
      HookResult failed = agent.run(name, "health", "op-1-health-" + i, new byte[0], Map.of(), Duration.ofSeconds(20));
      assertEquals(1, failed.exit());
      assertFalse(failed.ok());
      assertEquals("failed", failed.meaning());
      assertTrue(failed.stderr().contains("the page is not there"), "run " + i + ": " + failed.stderr());
    }

    HookResult missing = agent.run(name, "backup", "op-1-backup", new byte[0], Map.of(), Duration.ofSeconds(20));
    assertEquals(HookExit.NOT_IMPLEMENTED, missing.exit());
  }

  @Test
  void aHookPastItsTimeoutIsKilledWithWhatItStartedInsideTheContainer() {
    String name = host.launch("tpl-timeout", host.busyboxImage(), "10.77.0.124");
    agent.install(name);
    assertEquals(0, host.driver.exec(name, ExecRequest.of("mkdir", "/opt/cadre/hooks")).exitCode());
    int hang = 300;
    host.driver.pushFile(name, FileSpec.of("/opt/cadre/hooks/export-live", """
        #!/bin/sh
        sleep %d &
        echo $! > /tmp/child
        echo copying
        sleep %d
        """.formatted(hang, hang).getBytes(StandardCharsets.UTF_8), 0755));
    long t0 = System.nanoTime();
    HookResult r = agent.run(name, "export-live", "op-3-export", new byte[0], Map.of(), Duration.ofSeconds(1));
    assertEquals(HookExit.TIMED_OUT, r.exit(), r.stderr());
    assertEquals("copying\n", r.output());
    // ended by the 1 s timeout, not by the hook: a bound against the hook's sleep, not the machine
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < hang / 2.0, "took " + seconds + " s; the hook sleeps " + hang + " s");
    String child = host.driver.exec(name, ExecRequest.of("cat", "/tmp/child")).stdoutText().strip();
    // the kill is sent by now; how soon the child is gone is the machine's business, so ask until it is
    int alive = 0;
    for (int i = 0; i < 100; i++) {
      alive = host.driver.exec(name, ExecRequest.of("kill", "-0", child)).exitCode();
      if (alive == 1) {
        break;
      }
      TestHost.sleep(100);
    }
    assertEquals(1, alive, "the hook's child " + child + " survived the timeout");
    // killed processes are reaped by the container's init a moment later
    int found = 0;
    for (int i = 0; i < 30; i++) {
      found = host.driver.exec(name, ExecRequest.of("pidof", "sleep")).exitCode();
      if (found == 1) {
        break;
      }
      TestHost.sleep(100);
    }
    assertEquals(1, found, "a sleep survived the timeout");
  }

  @Test
  void withoutTheAgentTheAnswerSaysSo() {
    String name = host.launch("tpl-noagent", host.busyboxImage(), "10.77.0.121");
    HookResult r = agent.run(name, "plan", "op-2-plan", new byte[0], Map.of(), Duration.ofSeconds(10));
    assertFalse(r.answered());
    assertFalse(r.ok());
    assertTrue(r.stderr().contains("/opt/cadre/agent is missing or unreadable in the container"), r.stderr());
  }
}

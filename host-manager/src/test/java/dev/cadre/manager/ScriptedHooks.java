package dev.cadre.manager;

import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.templates.Agent;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Hooks as a test wants them: every hook answers done unless told otherwise; a hook can fail with a
 * given exit and stderr for one member, or block until released. Records every call.
 */
final class ScriptedHooks implements HookRunner {
  record Call(String host, String instance, String hook, String commandId, Map<String, String> env, String payload,
      Duration timeout) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, HookResult> answers = new ConcurrentHashMap<>();
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch blocked = new CountDownLatch(1);
  volatile String blockHook;
  /** Blocks ignoring interrupts, like a hung exec (for the crash tests). */
  volatile boolean stubborn;
  /** When set, only instances whose name starts with it block. */
  volatile String blockPrefix;
  /** A blocked hook ends at its timeout with exit 124, as the agent kills a hook that runs too long. */
  volatile boolean killAtTimeout;

  /** {@code member} may be null for every member. */
  void fail(String member, String hook, int exit, String stderr) {
    answers.put((member == null ? "*" : member) + "/" + hook, new HookResult("x", hook, exit, "", stderr, false));
  }

  @Override
  public void install(HostDriver driver, String instance) {
    driver.pushFile(instance, FileSpec.of(Agent.PATH, Agent.script(), 0755));
  }

  @Override
  public HookResult run(HostDriver driver, String instance, String hook, String commandId, byte[] payload,
      Map<String, String> env, Duration timeout) {
    calls.add(new Call(driver.hostName(), instance, hook, commandId, env, new String(payload), timeout));
    String prefix = blockPrefix;
    if (hook.equals(blockHook) && (prefix == null || instance.startsWith(prefix))) {
      blocked.countDown();
      long end = System.nanoTime() + timeout.toNanos();
      boolean done = false;
      while (!done) {
        if (killAtTimeout && System.nanoTime() > end) {
          return new HookResult(commandId, hook, HookExit.TIMED_OUT, "",
              "cadre-agent: timed out after " + timeout.toSeconds() + "s; the hook was killed\n", false);
        }
        try {
          done = release.await(50, TimeUnit.MILLISECONDS) || (!stubborn && Thread.currentThread().isInterrupted());
        } catch (InterruptedException e) {
          if (!stubborn) {
            Thread.currentThread().interrupt();
            done = true;
          }
        }
      }
    }
    HookResult r = answers.get(instance + "/" + hook);
    if (r == null) {
      r = answers.get("*/" + hook);
    }
    if (r != null) {
      return r;
    }
    // what a well-behaved template answers: a plan is a JSON object, a status names a position
    String output = switch (hook) {
      case "plan" -> "{}\n";
      case "status" -> "{\"role\":\"replica\",\"position\":0,\"upstream\":\"\",\"link\":\"up\"}\n";
      default -> hook + " ok\n";
    };
    return new HookResult(commandId, hook, 0, output, "", false);
  }

  List<String> hooksOf(String instance) {
    return calls.stream().filter(c -> c.instance().equals(instance)).map(Call::hook).toList();
  }
}

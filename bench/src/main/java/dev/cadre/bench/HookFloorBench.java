package dev.cadre.bench;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.lxd.LxdHostDriver;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor of a hook round trip (issue 14, part 3), on one busybox container, interleaved round by round:
 *
 * <ul>
 *   <li>{@code lxc exec true}: the CLI a script would use;
 *   <li>{@code exec true}: cadre's raw LXD client (one exec operation, its websockets, the exit code);
 *   <li>{@code channel echo}: the transport alone: a line sent through a persistent channel (below) to a
 *       two-line shell script that echoes it;
 *   <li>{@code hook via exec}: what a hook costs today: the agent ({@code /opt/cadre/agent run health ...}) with a
 *       one-line hook, through the same exec;
 *   <li>{@code hook via channel}: the same agent and hook, reached through a persistent channel instead: an LXD
 *       proxy device whose host end is a unix socket in a 0700 directory (bind=host: the container cannot
 *       connect out through it) and whose container end is busybox {@code nc -ll} running a two-line wrapper
 *       that reads the hook's name and hands the rest to the agent.
 * </ul>
 *
 * <p>Usage: {@code HookFloorBench ROUNDS SOCKET IMAGE AGENT_FILE}
 */
public final class HookFloorBench {
  static final String WRAPPER = "#!/bin/sh\nread hook id\nexec /bin/sh /opt/cadre/agent run \"$hook\" \"$id\" 10 </dev/null\n";
  static final String ECHO = "#!/bin/sh\nread line\necho \"$line\"\n";
  static final String HOOK = "#!/bin/sh\necho '{\"ok\":true}'\n";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    String socket = args.length > 1 ? args[1] : "/var/lib/lxd/unix.socket";
    String image = args.length > 2 ? args[2] : "busybox";
    byte[] agent = Files.readAllBytes(Path.of(args.length > 3 ? args[3]
        : "templates/src/main/resources/cadre-templates/agent/cadre-agent"));
    String name = "bench-floor-" + ProcessHandle.current().pid();
    Path dir = Files.createTempDirectory("cadre-chan", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Path chan = dir.resolve(name + ".sock");
    Path echo = dir.resolve(name + "-echo.sock");
    String[] ways = {"lxc exec true", "exec true", "channel echo", "hook via exec", "hook via channel"};
    Samples[] samples = new Samples[ways.length];
    for (int i = 0; i < ways.length; i++) {
      samples[i] = new Samples(ways[i]);
    }
    try (LxdHostDriver d = LxdHostDriver.connect("bench", "unix://" + socket, null, null)) {
      d.create(InstanceSpec.builder(name, image).build());
      try {
        d.start(name);
        check(d.exec(name, ExecRequest.of("mkdir", "-p", "/opt/cadre/hooks")).exitCode() == 0, "mkdir");
        d.pushFile(name, FileSpec.of("/opt/cadre/agent", agent, 0755));
        d.pushFile(name, FileSpec.of("/opt/cadre/hooks/health", HOOK.getBytes(StandardCharsets.UTF_8), 0755));
        d.pushFile(name, FileSpec.of("/opt/cadre/channel", WRAPPER.getBytes(StandardCharsets.UTF_8), 0755));
        d.pushFile(name, FileSpec.of("/opt/cadre/echo", ECHO.getBytes(StandardCharsets.UTF_8), 0755));
        ExecResult up = d.exec(name, ExecRequest.of("sh", "-c",
            "setsid nc -ll -p 7000 -e /opt/cadre/channel </dev/null >/dev/null 2>&1 &"
                + " setsid nc -ll -p 7001 -e /opt/cadre/echo </dev/null >/dev/null 2>&1 &"));
        check(up.exitCode() == 0, "the channel's listeners did not start");
        run("lxc", "config", "device", "add", name, "chan", "proxy", "listen=unix:" + chan,
            "connect=tcp:127.0.0.1:7000", "bind=host", "mode=0600");
        run("lxc", "config", "device", "add", name, "echo", "proxy", "listen=unix:" + echo,
            "connect=tcp:127.0.0.1:7001", "bind=host", "mode=0600");
        // warm up each way (JIT, connection pool, page cache), and check they answer what the hook says
        check(viaExec(d, name, 0).contains("\"ok\":true"), "the hook through exec");
        check(viaChannel(chan, 0).contains("\"ok\":true"), "the hook through the channel: " + viaChannel(chan, 1));
        check(viaChannel(echo, 0).startsWith("health c0"), "the echo through the channel");
        run("lxc", "exec", name, "--", "true");
        d.exec(name, ExecRequest.of("true"));
        for (int i = 1; i <= rounds; i++) {
          long t0 = System.nanoTime();
          run("lxc", "exec", name, "--", "true");
          long t1 = System.nanoTime();
          d.exec(name, ExecRequest.of("true"));
          long t2 = System.nanoTime();
          viaChannel(echo, i);
          long t3 = System.nanoTime();
          viaExec(d, name, i);
          long t4 = System.nanoTime();
          viaChannel(chan, i);
          long t5 = System.nanoTime();
          samples[0].add(t1 - t0);
          samples[1].add(t2 - t1);
          samples[2].add(t3 - t2);
          samples[3].add(t4 - t3);
          samples[4].add(t5 - t4);
        }
      } finally {
        d.delete(name);
        Files.deleteIfExists(chan);
        Files.deleteIfExists(echo);
        Files.deleteIfExists(dir);
      }
    }
    double lxc = samples[0].median();
    System.out.printf("%nhook round trip floor, %d rounds, one busybox container, same daemon%n", rounds);
    System.out.printf("%-18s %10s %10s %14s%n", "way", "p50", "p90", "vs lxc exec");
    for (Samples s : samples) {
      System.out.printf("%-18s %8.1fms %8.1fms %13.2fx%n", s.name(), s.median(), s.percentile(90), s.median() / lxc);
    }
  }

  /** The health hook through the agent, over LXD's exec, as the plane runs hooks today. */
  static String viaExec(LxdHostDriver d, String name, int n) {
    ExecResult r = d.exec(name, new ExecRequest(List.of("/bin/sh", "/opt/cadre/agent", "run", "health", "x" + n, "10"),
        java.util.Map.of(), new byte[0], java.time.Duration.ofSeconds(20), 64 * 1024, false));
    return new String(r.stdout(), StandardCharsets.UTF_8);
  }

  /** The same through the channel: one connection per hook, the hook's name on the first line, read to EOF. */
  static String viaChannel(Path chan, int n) throws IOException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(chan));
      c.write(ByteBuffer.wrap(("health c" + n + "\n").getBytes(StandardCharsets.UTF_8)));
      try (InputStream in = java.nio.channels.Channels.newInputStream(c)) {
        return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      }
    }
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what + " failed");
    }
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectInput(new java.io.File("/dev/null")).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed");
    }
  }
}

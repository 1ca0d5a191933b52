package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnreachableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh runner against a real OpenSSH server on loopback: the real client, a real sshd and the
 * account's real login shell. Skipped where openssh-server is not installed. The daemon runs as a
 * child of this test on a free port with its own host key and authorized key, and is stopped after.
 */
class SshCommandRunnerIT {
  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final Duration T = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static Process sshd;
  private static int port;
  private static Path knownHosts;

  @BeforeAll
  static void startSshd() throws Exception {
    assumeTrue(Files.isExecutable(SSHD), "openssh-server is not installed");
    keygen(dir.resolve("host_key"));
    keygen(dir.resolve("id"));
    keygen(dir.resolve("stranger"));
    Files.copy(dir.resolve("id.pub"), dir.resolve("authorized_keys"));
    // sshd refuses to start without its privilege-separation directory, which its init script makes
    Files.createDirectories(Path.of("/run/sshd"));
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"), "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PubkeyAuthentication yes", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no",
        "LogLevel ERROR", ""));
    sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!listening()) {
      if (!sshd.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
      }
      Thread.sleep(50);
    }
    knownHosts = dir.resolve("known_hosts");
  }

  @AfterAll
  static void stopSshd() throws InterruptedException {
    if (sshd != null) {
      sshd.destroy();
      sshd.waitFor();
    }
  }

  private static boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void keygen(Path key) {
    CommandResult r = new LocalCommandRunner("local").run(
        List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cadre-test", "-f", key.toString()), null, T);
    assertEquals(0, r.exitCode(), r.stderrText());
  }

  private static String user() {
    return System.getProperty("user.name");
  }

  private static SshCommandRunner runner(String key, SshSettings settings) {
    return new SshCommandRunner("gz-loopback", SshTarget.parse(user() + "@127.0.0.1:" + port),
        settings.withIdentity(dir.resolve(key)));
  }

  /** Learns the host key on first contact into the test's own known_hosts, as option host-key=accept-new does. */
  private static SshCommandRunner trusted() {
    return runner("id", SshSettings.DEFAULT.withKnownHosts(knownHosts, true));
  }

  @Test
  void theRemoteLoginShellSeesExactlyTheArgumentVector() {
    List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
    argv.addAll(ShellQuoteTest.HOSTILE);
    CommandResult r = trusted().run(argv, null, T);
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals(ShellQuoteTest.HOSTILE, ShellQuoteTest.splitNul(r.stdoutText()));
    assertFalse(Files.exists(Path.of("/tmp/cadre-pwned")), "a quoted argument was executed");
  }

  @Test
  void stdinStdoutStderrAndEveryExitCodePassThrough() {
    byte[] data = new byte[2 * 1024 * 1024];
    new Random(3).nextBytes(data);
    CommandResult r = trusted().run(List.of("sh", "-c", "cat; echo err >&2; exit 3"), data, T);
    assertEquals(3, r.exitCode());
    assertArrayEquals(data, r.stdout());
    assertEquals("err\n", r.stderrText(), "nothing of ssh's own in the command's stderr");
    assertEquals(255, trusted().run(List.of("sh", "-c", "exit 255"), null, T).exitCode(), "the command's 255 is a result");
    assertEquals(127, trusted().run(List.of("no-such-tool-on-the-host"), null, T).exitCode());
  }

  /** As ZoneLogin runs a command with variables, minus zlogin: the variables ride ahead of 2 MiB of stdin. */
  @Test
  void variablesOnStdinReachTheCommandAndLeaveItsInputWhole() {
    Map<String, String> env = ZoneLoginTest.hostileEnvironment();
    byte[] data = new byte[2 * 1024 * 1024];
    new Random(5).nextBytes(data);
    CommandResult r = trusted().run(ZoneLogin.withEnvironment(ZoneLoginTest.printer(env)),
        ZoneLoginTest.concat(ZoneLogin.environment(env), data), T);
    ZoneLoginTest.assertPrinted(env, data, r);
    assertFalse(Files.exists(Path.of("/tmp/cadre-pwned")), "a value was executed");
  }

  @Test
  void aStreamFlowsFromOneSshHostIntoAnotherThroughAPipe() throws IOException {
    Path count = dir.resolve("count");
    Commands commands = new Commands(trusted(), T);
    StreamTransfer.run(commands, List.of("head", "-c", "67108864", "/dev/urandom"), commands,
        List.of("sh", "-c", "wc -c > \"$1\"", "sh", count.toString()), T);
    assertEquals("67108864", Files.readString(count).strip());
  }

  @Test
  void aHostWithoutTheZoneToolsIsAHostFailureNamingTheHost() {
    ZoneHostDriver driver = new ZoneHostDriver(trusted(), ZoneHostConfig.of(Map.of(), List.of()));
    HostFailureException e = assertThrows(HostFailureException.class, () -> driver.find("web1"));
    assertEquals("gz-loopback", e.host());
    assertTrue(e.getMessage().contains("'zoneadm' is not available"), e.getMessage());
  }

  @Test
  void anUnknownHostKeyOrAKeyTheHostRefusesIsUnauthorized() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
    UnauthorizedException unknown = assertThrows(UnauthorizedException.class,
        () -> runner("id", SshSettings.DEFAULT.withKnownHosts(empty, false)).run(List.of("true"), null, T));
    assertEquals("gz-loopback", unknown.host());
    assertTrue(unknown.getMessage().contains("Host key verification failed"), unknown.getMessage());
    trusted().run(List.of("true"), null, T); // learns the key
    UnauthorizedException stranger = assertThrows(UnauthorizedException.class,
        () -> runner("stranger", SshSettings.DEFAULT.withKnownHosts(knownHosts, false)).run(List.of("true"), null, T));
    assertTrue(stranger.getMessage().contains("Permission denied"), stranger.getMessage());
    assertEquals(0, runner("id", SshSettings.DEFAULT.withKnownHosts(knownHosts, false)).run(List.of("true"), null, T).exitCode(),
        "the key learned on first contact is pinned");
  }

  @Test
  void aClosedPortIsUnreachableAndAHangingCommandTimesOut() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    SshCommandRunner nowhere = new SshCommandRunner("gz-closed", SshTarget.parse(user() + "@127.0.0.1:" + closed),
        SshSettings.DEFAULT.withKnownHosts(knownHosts, true).withIdentity(dir.resolve("id")));
    UnavailableException e = assertThrows(UnreachableException.class, () -> nowhere.run(List.of("true"), null, T));
    assertEquals("gz-closed", e.host());
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    Duration hang = Duration.ofSeconds(30);
    long start = System.nanoTime();
    assertThrows(TimedOutException.class,
        () -> trusted().run(List.of("sleep", Long.toString(hang.toSeconds())), null, Duration.ofMillis(1500)));
    // a bound against the remote sleep, not the machine: the timeout, not the command, ended the wait
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(hang.dividedBy(2)) < 0, "the timeout ends the wait");
  }
}

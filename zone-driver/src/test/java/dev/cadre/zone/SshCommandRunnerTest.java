package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnreachableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshCommandRunnerTest {
  private static final Duration T = Duration.ofSeconds(20);
  @TempDir Path dir;

  /** A stand-in for ssh: checks the option layout, then gives the remote line to a shell, as sshd does. */
  private String fakeSsh() throws IOException {
    return script("fake-ssh", """
        #!/bin/sh
        [ "$1" = "-o" ] && [ "$2" = "BatchMode=yes" ] || { echo "BatchMode missing" >&2; exit 254; }
        while [ "$1" != "--" ]; do
          case "$1" in -o|-p|-i) shift 2 ;; *) dest="$1"; shift ;; esac
        done
        shift
        [ "$dest" = "root@gz1.example" ] || { echo "bad destination $dest" >&2; exit 254; }
        [ "$#" -eq 1 ] || { echo "expected one remote line, got $#" >&2; exit 254; }
        exec /bin/sh -c "$1"
        """);
  }

  private String script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p.toString();
  }

  private SshCommandRunner runner(String program) {
    return new SshCommandRunner("gz1", SshTarget.parse("root@gz1.example"), SshSettings.DEFAULT.withProgram(program));
  }

  @Test
  void buildsTheDocumentedArgumentVector() {
    SshCommandRunner r = new SshCommandRunner("gz1", SshTarget.parse("admin@10.0.0.5:2222"),
        SshSettings.DEFAULT.withIdentity(Path.of("/keys/id")));
    assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR", "-p", "2222",
        "-i", "/keys/id", "admin@10.0.0.5", "--", "echo cadre-ssh-session >&2; exec zonecfg -z web1 info"), r.localArgv(List.of("zonecfg", "-z", "web1", "info")));
    assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR", "root@gz1.example",
        "--", "echo cadre-ssh-session >&2; exec zlogin z1 'a b'"), runner("ssh").localArgv(List.of("zlogin", "z1", "a b")));
  }

  @Test
  void knownHostsArePinnedOrLearnedOnFirstContact() {
    SshTarget gz1 = SshTarget.parse("root@gz1");
    List<String> strict = new SshCommandRunner("gz1", gz1, SshSettings.DEFAULT.withKnownHosts(Path.of("/var/cadre/known_hosts"), false))
        .localArgv(List.of("true"));
    assertTrue(strict.containsAll(List.of("UserKnownHostsFile=/var/cadre/known_hosts", "StrictHostKeyChecking=yes")), strict.toString());
    List<String> learn = new SshCommandRunner("gz1", gz1, SshSettings.DEFAULT.withKnownHosts(Path.of("/var/cadre/known_hosts"), true))
        .localArgv(List.of("true"));
    assertTrue(learn.contains("StrictHostKeyChecking=accept-new"), learn.toString());
    for (String bad : List.of("/a b/known_hosts", "/x/%h", "~/known_hosts", "/x/\"quoted\"")) {
      assertThrows(InvalidInputException.class, () -> SshSettings.DEFAULT.withKnownHosts(Path.of(bad), false), bad);
    }
    assertThrows(InvalidInputException.class, () -> SshSettings.DEFAULT.withProgram("-oProxyCommand=x"));
  }

  @Test
  void theRemoteShellSeesExactlyTheArgumentVector() throws IOException {
    List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
    argv.addAll(ShellQuoteTest.HOSTILE);
    CommandResult r = runner(fakeSsh()).run(argv, null, T);
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals(ShellQuoteTest.HOSTILE, ShellQuoteTest.splitNul(r.stdoutText()));
  }

  @Test
  void stdinAndTheRemoteExitCodePassThrough() throws IOException {
    byte[] data = new byte[300_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    CommandResult r = runner(fakeSsh()).run(List.of("sh", "-c", "cat; exit 3"), data, T);
    assertEquals(3, r.exitCode());
    assertArrayEquals(data, r.stdout());
    assertEquals(127, runner(fakeSsh()).run(List.of("no-such-tool-on-the-host"), null, T).exitCode());
  }

  @Test
  void aRemoteCommandExiting255IsAResultAndLoginNoiseIsCutFromStderr() throws IOException {
    CommandResult r = runner(fakeSsh()).run(List.of("sh", "-c", "echo out; echo err >&2; exit 255"), null, T);
    assertEquals(255, r.exitCode());
    assertEquals("out\n", r.stdoutText());
    assertEquals("err\n", r.stderrText());
    String noisy = script("noisy-ssh", """
        #!/bin/sh
        for last; do :; done
        echo 'Last login: yesterday; welcome to gz1' >&2
        exec /bin/sh -c "$last"
        """);
    assertEquals("", runner(noisy).run(List.of("true"), null, T).stderrText());
  }

  @Test
  void exit255WithoutTheMarkerIsUnreachableNamingTheHost() throws IOException {
    String refused = script("refused", "#!/bin/sh\necho 'ssh: connect to host gz1.example port 22: Connection refused' >&2\nexit 255\n");
    UnavailableException e = assertThrows(UnreachableException.class, () -> runner(refused).run(List.of("zoneadm", "list"), null, T));
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
  }

  @Test
  void aRefusedKeyIsUnauthorized() throws IOException {
    String denied = script("denied", "#!/bin/sh\necho 'root@gz1.example: Permission denied (publickey).' >&2\nexit 255\n");
    DriverException e = assertThrows(UnauthorizedException.class, () -> runner(denied).run(List.of("true"), null, T));
    assertEquals("gz1", e.host());
  }

  @Test
  void aMissingSshClientIsAHostFailureNamingTheHost() {
    HostFailureException e = assertThrows(HostFailureException.class,
        () -> runner(dir.resolve("no-ssh").toString()).run(List.of("true"), null, T));
    assertEquals("gz1", e.host());
  }

  @Test
  void aHangingConnectionEndsAtTheTimeoutAsTimedOut() throws IOException {
    String hang = script("hang", "#!/bin/sh\nexec sleep 30\n");
    assertThrows(TimedOutException.class, () -> runner(hang).run(List.of("true"), null, Duration.ofMillis(300)));
  }

  @Test
  void targetsAreParsedStrictly() {
    assertEquals(new SshTarget("root", "gz1", 22), SshTarget.parse("root@gz1"));
    assertEquals(new SshTarget("root", "[fe80::1]", 2200), SshTarget.parse("root@[fe80::1]:2200"));
    assertEquals("root@fe80::1", SshTarget.parse("root@[fe80::1]").destination());
    for (String bad : List.of("gz1", "-oProxyCommand=x@gz1", "root@-gz1", "root@gz1:0", "root@gz1:70000", "ro ot@gz1", "")) {
      assertThrows(InvalidInputException.class, () -> SshTarget.parse(bad), bad);
    }
  }
}

package dev.cadre.zone;

import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnreachableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs commands on a remote host with the system {@code ssh} client (its config, known_hosts and agent
 * apply). ssh joins the remote arguments into one string for the remote login shell, which must be a
 * POSIX shell (bash, ksh93 and sh on illumos all are); every argument is quoted with {@link ShellQuote}
 * so the remote side sees exactly the argument vector given here.
 *
 * <p>Exit 255 is both ssh's own failure (no route, refused, authentication) and a possible exit of the
 * remote command. To tell them apart the remote line first writes a marker line to stderr, then
 * {@code exec}s the command: without the marker the command never ran, and exit 255 becomes
 * {@link UnreachableException}, or {@link UnauthorizedException} when ssh says so; with it, every exit
 * is the command's. The marker and anything a login script wrote before it are cut from stderr. A
 * timeout kills the local ssh client ({@link dev.cadre.driver.TimedOutException}); the remote command
 * may outlive it until the connection drop reaches it.
 */
public final class SshCommandRunner implements ProcessRunner {
  private static final int SSH_FAILED = 255;
  static final String MARKER = "cadre-ssh-session";
  private static final byte[] MARKER_LINE = (MARKER + "\n").getBytes(StandardCharsets.US_ASCII);

  private final String host;
  private final SshTarget target;
  private final SshSettings settings;

  /** @param host the name cadre knows the host by; every exception names it */
  public SshCommandRunner(String host, SshTarget target, SshSettings settings) {
    this.host = host;
    this.target = target;
    this.settings = settings;
  }

  @Override
  public String host() {
    return host;
  }

  /** Exit 255 without the marker is ssh's own failure; with it, the marker and what came before go. */
  @Override
  public CommandResult interpret(CommandResult local) {
    int afterMarker = indexAfter(local.stderr(), MARKER_LINE);
    if (afterMarker >= 0) {
      byte[] stderr = Arrays.copyOfRange(local.stderr(), afterMarker, local.stderr().length);
      return new CommandResult(local.exitCode(), local.stdout(), stderr, local.stdoutDropped(), local.stderrDropped());
    }
    if (local.exitCode() == SSH_FAILED) {
      String why = local.stderrText().strip();
      if (why.contains("Permission denied") || why.contains("Host key verification failed")) {
        throw new UnauthorizedException(host, "ssh to " + target.destination() + " refused: " + why);
      }
      // the remote side never ran the command: ssh could not get there (refused, no route, its
      // ConnectTimeout, the connection closed before the session started)
      throw new UnreachableException(host, "ssh to " + target.destination() + " failed: "
          + (why.isEmpty() ? "exit 255" : why));
    }
    return local;
  }

  /** The local argument vector: options, destination, "--", then the remote line (marker, exec of the quoted argv). */
  @Override
  public List<String> localArgv(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty command"); // ssh would open a login shell
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(settings.program());
    // BatchMode: never prompt for a password or host key; a missing credential must fail, not hang.
    // LogLevel=ERROR: ssh's own warnings ("Permanently added ... to the list of known hosts") would
    // otherwise land in the stderr of the remote command.
    cmd.addAll(List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR"));
    if (settings.knownHosts() != null) {
      cmd.addAll(List.of("-o", "UserKnownHostsFile=" + settings.knownHosts()));
    }
    if (settings.acceptNewHostKeys()) {
      cmd.addAll(List.of("-o", "StrictHostKeyChecking=accept-new"));
    } else if (settings.knownHosts() != null) {
      cmd.addAll(List.of("-o", "StrictHostKeyChecking=yes"));
    }
    if (target.port() != 22) {
      cmd.addAll(List.of("-p", Integer.toString(target.port())));
    }
    if (settings.identity() != null) {
      cmd.addAll(List.of("-i", settings.identity().toString()));
    }
    cmd.add(target.destination());
    cmd.add("--");
    cmd.add("echo " + MARKER + " >&2; exec " + ShellQuote.join(argv));
    return cmd;
  }

  /** The index just past the first occurrence of {@code part} in {@code bytes}, or -1. */
  private static int indexAfter(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i + part.length;
    }
    return -1;
  }
}

package dev.cadre.zone;

import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import java.time.Duration;
import java.util.List;

/**
 * Feeds one host's command output into another host's command input: {@code zfs send} on the source
 * into {@code zfs recv} on the target. Between two {@link ProcessRunner}s the two local processes are
 * joined by an OS pipe, so a zone of any size passes through without being held in memory; other
 * runners (the test simulator) get the stream as a byte array.
 */
final class StreamTransfer {
  /** 128 + SIGPIPE: the sender lost its reader, which only says that the receiver failed first. */
  private static final int BROKEN_PIPE = 141;
  /** Without an OS pipe the stream is held in memory: fine for the simulator's small streams, and no more. */
  private static final int IN_MEMORY_LIMIT = 256 * 1024 * 1024;

  private StreamTransfer() {}

  static void run(Commands from, List<String> send, Commands to, List<String> receive, Duration timeout) {
    if (!(from.runner() instanceof ProcessRunner source) || !(to.runner() instanceof ProcessRunner sink)) {
      CommandResult sent = from.raw(send, null, timeout, IN_MEMORY_LIMIT, true);
      if (sent.stdoutDropped() > 0) {
        throw new HostFailureException(from.host(), "a stream of more than " + IN_MEMORY_LIMIT
            + " bytes cannot be relayed without an OS pipe");
      }
      if (!sent.ok()) {
        throw ZoneErrors.translate(from.host(), send, sent);
      }
      to.check(receive, sent.stdout(), timeout);
      return;
    }
    CommandResult[] results = Processes.pipe(source.host(), source.localArgv(send), sink.host(), sink.localArgv(receive), timeout);
    CommandResult sent = source.interpret(results[0]);
    CommandResult received = sink.interpret(results[1]);
    DriverException sendFailure = sent.ok() ? null : ZoneErrors.translate(source.host(), send, sent);
    DriverException receiveFailure = received.ok() ? null : ZoneErrors.translate(sink.host(), receive, received);
    // the side that failed first explains it: a receiver fed a cut stream, or a sender whose reader went away
    DriverException first = sendFailure != null && (receiveFailure == null || sent.exitCode() != BROKEN_PIPE)
        ? sendFailure : receiveFailure;
    if (first != null) {
      DriverException other = first == sendFailure ? receiveFailure : sendFailure;
      if (other != null) {
        first.addSuppressed(other);
      }
      throw first;
    }
  }
}

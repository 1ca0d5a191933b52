package dev.cadre.zone;

import java.time.Duration;
import java.util.List;

/**
 * A runner whose commands are processes on this machine: the program itself, or the ssh client that
 * runs it on the host. Two of them can be joined by an OS pipe ({@link StreamTransfer}), so a ZFS
 * stream from one host to another flows through this machine without being held in its memory.
 */
interface ProcessRunner extends CommandRunner {

  /** The local argument vector that runs {@code argv} on the host. */
  List<String> localArgv(List<String> argv);

  /** What the local process's result means on the host (for ssh: whether exit 255 was ssh's own). */
  CommandResult interpret(CommandResult local);

  @Override
  default CommandResult run(List<String> argv, byte[] stdin, Duration timeout, int outputLimit, boolean stopAtLimit) {
    return interpret(Processes.run(host(), localArgv(argv), stdin, timeout, outputLimit, stopAtLimit));
  }
}

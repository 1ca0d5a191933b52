package dev.cadre.templates;

/**
 * The one table of exit codes of a hook run through the agent (templates/README.md says the same for
 * hook authors). Codes 0-3 are the hook's own answers; 64, 75, 124 and 127 come from the agent; 256 is
 * cadre's own verdict, outside the 0-255 any process can exit with.
 */
public final class HookExit {
  /** Done: the hook did what was asked. */
  public static final int DONE = 0;
  /** Failed: the hook could not do it; its stderr says why. */
  public static final int FAILED = 1;
  /** Not now: something the hook needs is not ready yet; cadre tries again later with a new command id. */
  public static final int RETRY_LATER = 2;
  /** The service does not fit in the member's memory. */
  public static final int OUT_OF_MEMORY = 3;
  /** The agent refused the request: bad hook name, command id or timeout, or an id reused for another hook. */
  public static final int BAD_REQUEST = 64;
  /** Another hook held the container's lock for the whole timeout; nothing ran. */
  public static final int BUSY = 75;
  /** The hook ran past its timeout and was killed. */
  public static final int TIMED_OUT = 124;
  /**
   * The hook wrote more than the agent keeps (512 KiB of stdout or of stderr): the agent killed it at once
   * and cut its journal there.
   */
  public static final int FLOODED = 125;
  /** The template has no such hook (or the agent or /bin/sh is missing in the container). */
  public static final int NOT_IMPLEMENTED = 127;
  /**
   * cadre's verdict, not an exit status: the agent's answer was larger than cadre reads (the hook
   * printed too much), so neither the hook's output nor its result line could be trusted.
   */
  public static final int OUTPUT_TOO_LARGE = 256;

  private HookExit() {}

  /** A short phrase for an exit code; codes outside the table mean the hook failed. */
  public static String describe(int exit) {
    return switch (exit) {
      case DONE -> "done";
      case FAILED -> "failed";
      case RETRY_LATER -> "retry later";
      case OUT_OF_MEMORY -> "out of memory";
      case BAD_REQUEST -> "bad request to the agent";
      case BUSY -> "busy: another hook held the lock";
      case TIMED_OUT -> "timed out";
      case NOT_IMPLEMENTED -> "hook not implemented";
      case OUTPUT_TOO_LARGE, FLOODED -> "output too large";
      default -> "failed (exit " + exit + ")";
    };
  }

  /** True for the answers that say "the same thing may work later": retry later and busy. */
  public static boolean retryable(int exit) {
    return exit == RETRY_LATER || exit == BUSY;
  }
}

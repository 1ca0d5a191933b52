package dev.cadre.templates;

/**
 * What one hook command answered, read from the agent's output by {@link Agent#parse}.
 *
 * @param id the command id from the agent's result line, null when there was no result line
 * @param hook the hook name from the result line, null when there was no result line
 * @param exit the exit code (see {@link HookExit})
 * @param output the hook's stdout without the agent's result line
 * @param stderr the hook's stderr (and the agent's messages)
 * @param replayed true when the agent answered from its journal without running the hook again
 */
public record HookResult(String id, String hook, int exit, String output, String stderr, boolean replayed) {
  public HookResult {
    output = output == null ? "" : output;
    stderr = stderr == null ? "" : stderr;
  }

  /**
   * True when the agent printed its result line. Without one (agent or /bin/sh missing, agent killed)
   * the exit code is the shell's, not a hook's answer from the {@link HookExit} table.
   */
  public boolean answered() {
    return id != null;
  }

  public boolean ok() {
    return exit == HookExit.DONE;
  }

  /** The exit code in words, from the one table in {@link HookExit}. */
  public String meaning() {
    return HookExit.describe(exit);
  }
}

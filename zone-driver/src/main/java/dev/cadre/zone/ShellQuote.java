package dev.cadre.zone;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Quotes arguments for a POSIX shell. Two places join an argument vector into one command line that a
 * shell splits again: ssh (for the remote login shell) and zlogin (for {@code su root -c} inside the
 * zone). Quoting every argument here is what keeps user data an argument there.
 *
 * <p>Inside single quotes a POSIX shell takes every character literally except the closing quote, so
 * a quote inside the value becomes {@code '\''}: close, an escaped quote, reopen. That covers newlines,
 * {@code $}, backquotes, backslashes, globs and non-ASCII bytes alike.
 */
public final class ShellQuote {
  /**
   * Words made only of these are left bare, to keep logs readable. Deliberately absent: {@code =}
   * (a bare first word {@code A=b} is an assignment, not a command), {@code ~} and {@code #} (special
   * at the start of a word), braces (bash brace expansion) and every shell metacharacter.
   */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./:@%+,-]+");

  private ShellQuote() {}

  public static String quote(String arg) {
    if (arg.indexOf('\0') >= 0) {
      // no shell word can carry a NUL; callers validate earlier, this is the last line
      throw new IllegalArgumentException("a shell argument cannot contain NUL");
    }
    if (BARE.matcher(arg).matches()) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  /** The command line a POSIX shell splits back into exactly {@code argv}. */
  public static String join(List<String> argv) {
    return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}

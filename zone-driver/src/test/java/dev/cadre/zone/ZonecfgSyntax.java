package dev.cadre.zone;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a zonecfg command file with the lexical rules of zonecfg_lex.l, restricted to the subcommands
 * a cadre creation script may use. Tokens: unquoted runs of anything but blanks, '"', ';', '=',
 * brackets and parentheses; quoted {@code "[^"\n]*"} (zonecfg has no escape character); ';' and
 * newline end a subcommand; '#' at the start of a subcommand is a comment. illumos lex holds a token
 * in YYLMAX = BUFSIZ = 1024 bytes.
 *
 * <p>Where real zonecfg is lenient in a way that can only mean a quoting bug (a quote closed by the
 * end of the line), this checker refuses.
 */
final class ZonecfgSyntax {
  static final Set<String> VERBS = Set.of("add", "cancel", "clear", "commit", "create", "delete", "end", "exit",
      "export", "help", "info", "remove", "revert", "select", "set", "verify");
  static final int YYLMAX = 1024;

  record Command(int line, String verb, List<String> args) {}

  static final class SyntaxError extends RuntimeException {
    SyntaxError(int line, String message) {
      super("line " + line + ": " + message);
    }
  }

  private ZonecfgSyntax() {}

  /** Every problem of a creation script; empty when it is valid. */
  static List<String> problems(String script) {
    try {
      return new ZonecfgRules().check(parse(script));
    } catch (SyntaxError e) {
      return List.of(e.getMessage());
    }
  }

  static List<Command> parse(String script) {
    List<Command> commands = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < script.length()) {
      // INITIAL state: blanks, an empty command, a comment, or a subcommand word
      char c = script.charAt(i);
      if (c == ' ' || c == '\t' || c == ';') {
        i++;
        continue;
      }
      if (c == '\n') {
        line++;
        i++;
        continue;
      }
      if (c == '#') {
        while (i < script.length() && script.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      int start = i;
      while (i < script.length() && Character.isLetter(script.charAt(i))) {
        i++;
      }
      String verb = script.substring(start, i);
      if (!VERBS.contains(verb)) {
        throw new SyntaxError(line, "syntax error at '" + (verb.isEmpty() ? String.valueOf(c) : verb) + "'");
      }
      List<String> tokens = new ArrayList<>();
      i = tokens(script, i, line, tokens);
      commands.add(new Command(line, verb, tokens));
    }
    return commands;
  }

  /** TSTATE: reads tokens up to ';', newline or the end; '=' comes back as its own token. */
  private static int tokens(String s, int i, int line, List<String> out) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ';' || c == '\n') {
        return c == ';' ? i + 1 : i;
      }
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == '=') {
        out.add("=");
        i++;
      } else if (c == '"') {
        int end = i + 1;
        while (end < s.length() && s.charAt(end) != '"' && s.charAt(end) != '\n') {
          end++;
        }
        if (end >= s.length() || s.charAt(end) != '"') {
          throw new SyntaxError(line, "quoted value not closed on its line (zonecfg has no escapes for '\"' or newline)");
        }
        requireFits(s.substring(i, end + 1), line);
        out.add(s.substring(i + 1, end));
        i = end + 1;
      } else if ("[]()".indexOf(c) >= 0) {
        throw new SyntaxError(line, "lists and complex values ('" + c + "') are not part of cadre's scripts");
      } else {
        int end = i;
        while (end < s.length() && " \t\n\";=[]()".indexOf(s.charAt(end)) < 0) {
          end++;
        }
        requireFits(s.substring(i, end), line);
        out.add(s.substring(i, end));
        i = end;
      }
    }
    return i;
  }

  private static void requireFits(String token, int line) {
    if (token.getBytes(StandardCharsets.UTF_8).length >= YYLMAX) {
      throw new SyntaxError(line, "token of " + token.length() + " characters overflows zonecfg's lexer buffer (YYLMAX " + YYLMAX + ")");
    }
  }
}

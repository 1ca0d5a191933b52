package dev.cadre.zone;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line the way a POSIX shell's tokenizer and quote removal would, for lines made of
 * quoted words only, and refuses everything that would make a shell do more than split: unquoted
 * metacharacters, expansions, globs, a bare first word with '=' (an assignment). The zone simulator
 * uses it where zlogin hands a line to the zone's shell, so a quoting mistake in the driver fails a
 * test instead of passing by accident.
 */
final class PosixWords {
  private static final String SPECIAL = "|&;<>()$`*?[]#~{}!\n";

  private PosixWords() {}

  static final class UnsafeLine extends RuntimeException {
    UnsafeLine(String message) {
      super(message);
    }
  }

  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null; // null between words; a quoted empty word is an empty builder
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        i++;
      } else if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new UnsafeLine("unterminated single quote at " + i);
        }
        word = append(word, line.substring(i + 1, end));
        i = end + 1;
      } else if (c == '"') {
        word = append(word, "");
        i = doubleQuoted(line, i + 1, word);
      } else if (c == '\\') {
        if (i + 1 >= line.length()) {
          throw new UnsafeLine("trailing backslash");
        }
        if (line.charAt(i + 1) != '\n') { // backslash-newline is a line continuation
          word = append(word, String.valueOf(line.charAt(i + 1)));
        }
        i += 2;
      } else if (SPECIAL.indexOf(c) >= 0) {
        throw new UnsafeLine("unquoted '" + (c == '\n' ? "\\n" : String.valueOf(c)) + "' at " + i + " in: " + line);
      } else {
        if (c == '=' && words.isEmpty()) {
          throw new UnsafeLine("bare '=' in the first word makes it an assignment: " + line);
        }
        word = append(word, String.valueOf(c));
        i++;
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** Inside "...": backslash escapes only $ ` " \ and newline; $ and ` would expand, so they are refused. */
  private static int doubleQuoted(String line, int i, StringBuilder word) {
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < line.length() && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
        if (line.charAt(i + 1) != '\n') {
          word.append(line.charAt(i + 1));
        }
        i += 2;
      } else if (c == '$' || c == '`') {
        throw new UnsafeLine("expansion inside double quotes at " + i);
      } else {
        word.append(c);
        i++;
      }
    }
    throw new UnsafeLine("unterminated double quote");
  }

  private static StringBuilder append(StringBuilder word, String text) {
    return (word == null ? new StringBuilder() : word).append(text);
  }
}

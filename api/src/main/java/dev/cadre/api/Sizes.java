package dev.cadre.api;

import dev.cadre.cli.CliException;
import dev.cadre.cli.ExitCodes;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes on the command line: {@code 1048576}, {@code 512KiB}, {@code 4MiB} (K and M mean the same). */
final class Sizes {
  static final long MIN_BODY = 1024;
  static final long MAX_BODY = 256L << 20;
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(|b|k|kb|kib|m|mb|mib)");

  private Sizes() {}

  static long parse(String value, String option, long min, long max) {
    Matcher m = SIZE.matcher(value == null ? "" : value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException(ExitCodes.USAGE, option + " must be a size such as 1048576, 512KiB or 4MiB, got '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    long bytes = switch (m.group(2)) {
      case "k", "kb", "kib" -> n << 10;
      case "m", "mb", "mib" -> n << 20;
      default -> n;
    };
    if (bytes < min || bytes > max) {
      throw new CliException(ExitCodes.USAGE, option + " must be between " + min + " bytes and " + (max >> 20)
          + "MiB, got '" + value + "'");
    }
    return bytes;
  }
}

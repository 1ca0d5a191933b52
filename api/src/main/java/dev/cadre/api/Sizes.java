package dev.cadre.api;

import dev.cadre.cli.CliException;
import dev.cadre.cli.ExitCodes;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations on the command line: bytes as {@code 1048576}, {@code 512KiB}, {@code 4MiB} (K and M
 * mean the same); durations as {@code 12h} or {@code 30d}.
 */
final class Sizes {
  static final long MIN_BODY = 1024;
  static final long MAX_BODY = 256L << 20;
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(|b|k|kb|kib|m|mb|mib)");

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([hd])");
  static final java.time.Duration MIN_RETENTION = java.time.Duration.ofHours(1);
  static final java.time.Duration MAX_RETENTION = java.time.Duration.ofDays(3650);

  private Sizes() {}

  /** {@code 12h}, {@code 30d}: between an hour and ten years. */
  static java.time.Duration duration(String value, String option) {
    Matcher m = DURATION.matcher(value == null ? "" : value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException(ExitCodes.USAGE, option + " must be a number of hours or days such as 12h or 30d, got '"
          + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    java.time.Duration d = m.group(2).equals("h") ? java.time.Duration.ofHours(n) : java.time.Duration.ofDays(n);
    if (d.compareTo(MIN_RETENTION) < 0 || d.compareTo(MAX_RETENTION) > 0) {
      throw new CliException(ExitCodes.USAGE, option + " must be between 1h and 3650d, got '" + value + "'");
    }
    return d;
  }

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

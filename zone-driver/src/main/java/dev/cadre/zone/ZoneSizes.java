package dev.cadre.zone;

/** Reads back the sizes zonecfg info prints (zonecfg.c bytes_to_units: "512M", "1.5G", "2G"). */
final class ZoneSizes {
  private ZoneSizes() {}

  /** MiB for a capped-memory value, rounded up; 0 when absent or unreadable. */
  static long toMiB(String units) {
    if (units == null || units.isBlank()) {
      return 0;
    }
    String v = units.strip();
    char unit = Character.toUpperCase(v.charAt(v.length() - 1));
    double number;
    try {
      number = Double.parseDouble(Character.isDigit(unit) ? v : v.substring(0, v.length() - 1));
    } catch (NumberFormatException e) {
      return 0;
    }
    double mib = switch (unit) {
      case 'K' -> number / 1024;
      case 'M' -> number;
      case 'G' -> number * 1024;
      case 'T' -> number * 1024 * 1024;
      default -> number / (1024 * 1024); // bytes
    };
    return (long) Math.ceil(mib);
  }

  /** Whole CPUs for a capped-cpu value ("1.00", "0.50"), rounded up; 0 when absent. */
  static int toCpus(String ncpus) {
    if (ncpus == null || ncpus.isBlank()) {
      return 0;
    }
    try {
      return (int) Math.ceil(Double.parseDouble(ncpus.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

package dev.cadre.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table: upper-case headers, columns padded to their widest cell, "-" for empty cells. */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  public Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      String s = cell == null ? "" : String.valueOf(cell);
      row.add(s.isEmpty() || s.equals("null") ? "-" : s.replaceAll("[\\r\\n\\t]", " "));
    }
    rows.add(row);
    return this;
  }

  public int size() {
    return rows.size();
  }

  public void print(PrintWriter out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, headers, widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      b.append(cell);
      if (i < cells.size() - 1) {
        char[] pad = new char[widths[i] - cell.length() + 2];
        Arrays.fill(pad, ' ');
        b.append(pad);
      }
    }
    out.println(b.toString().stripTrailing());
  }

  /** Bytes as a short human size (GiB/MiB). */
  public static String bytes(long value) {
    if (value <= 0) {
      return "-";
    }
    double gib = value / (1024.0 * 1024 * 1024);
    return gib >= 1 ? String.format("%.1fGiB", gib) : String.format("%dMiB", value / (1024 * 1024));
  }
}

package dev.cadre.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations of one measured step, in milliseconds, with the figures a report needs. */
final class Samples {
  private final String name;
  private final List<Double> millis = new ArrayList<>();

  Samples(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  synchronized void add(long nanos) {
    millis.add(nanos / 1e6);
  }

  double median() {
    return percentile(50);
  }

  synchronized double percentile(double p) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  synchronized int count() {
    return millis.size();
  }
}

package dev.cadre.driver;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * This JVM's live heap while something runs, from its own metrics ({@link MemoryMXBean}). Raw "used"
 * counts garbage that the next collection frees, so a sampler thread forces a collection every
 * {@code period} ms and reads the heap right after it: the peak of those readings is the most the
 * watched work held alive at once (to within one period).
 */
public final class HeapWatch implements AutoCloseable {
  private static final long MIB = 1024 * 1024;
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final long baseline;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakLive;
  private volatile long peakRaw;
  private volatile int samples;
  private long after = -1;

  private HeapWatch(long periodMillis) {
    baseline = liveNow();
    peakLive = baseline;
    peakRaw = baseline;
    sampler = new Thread(() -> {
      while (running) {
        peakRaw = Math.max(peakRaw, used());
        peakLive = Math.max(peakLive, liveNow());
        samples++;
        try {
          Thread.sleep(periodMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-watch");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Takes the baseline (after a collection) and starts sampling every {@code periodMillis}. */
  public static HeapWatch start(long periodMillis) {
    return new HeapWatch(periodMillis);
  }

  private static long used() {
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static long liveNow() {
    MEMORY.gc();
    return used();
  }

  public long baseline() {
    return baseline;
  }

  /** The largest growth of the live heap over the baseline seen so far. */
  public long peakGrowth() {
    return Math.max(0, peakLive - baseline);
  }

  /** Live heap growth once the work is over (after {@link #close}). */
  public long afterGrowth() {
    return Math.max(0, after - baseline);
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
    try {
      sampler.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    after = liveNow();
    peakLive = Math.max(peakLive, after);
  }

  /** One line with every figure, in MiB. */
  public String report() {
    return String.format("heap (live, after a full GC): baseline %d MiB, peak %d MiB (+%d), after %d MiB (+%d);"
        + " raw used peak %d MiB; %d samples", baseline / MIB, peakLive / MIB, peakGrowth() / MIB, after / MIB,
        afterGrowth() / MIB, peakRaw / MIB, samples);
  }
}

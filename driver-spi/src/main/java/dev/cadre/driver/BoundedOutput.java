package dev.cadre.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A sink for a stream that someone else controls (a container's command, a host's tool): it keeps the
 * first {@code limit} bytes, counts and drops the rest. The writer is never refused, so the producer is
 * drained to its end instead of blocking on a full pipe, and memory stays at {@code limit} however much
 * it writes. Writes may come from one thread and reads from another.
 */
public final class BoundedOutput extends OutputStream {
  private static final int FIRST_CHUNK = 8 * 1024;

  private final int limit;
  private final Runnable onOverflow;
  private byte[] kept;
  private int size;
  private long total;

  public BoundedOutput(int limit) {
    this(limit, null);
  }

  /** @param onOverflow run once, by the writing thread, when the first byte past the limit arrives */
  public BoundedOutput(int limit, Runnable onOverflow) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.limit = limit;
    this.onOverflow = onOverflow;
    this.kept = new byte[Math.min(limit, FIRST_CHUNK)];
  }

  /** Reads {@code in} to its end, keeping at most {@code limit} bytes. */
  public static BoundedOutput drain(InputStream in, int limit) throws IOException {
    BoundedOutput out = new BoundedOutput(limit);
    byte[] chunk = new byte[64 * 1024];
    for (int n; (n = in.read(chunk)) >= 0; ) {
      out.write(chunk, 0, n);
    }
    return out;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (keep(b, off, len) && onOverflow != null) {
      onOverflow.run(); // outside the lock: it may kill the writer
    }
  }

  /** Keeps what fits; true when this write is the first to go past the limit. */
  private synchronized boolean keep(byte[] b, int off, int len) {
    boolean fullBefore = total > size;
    total += len;
    int take = Math.min(len, limit - size);
    if (take > 0) {
      if (size + take > kept.length) {
        // grow by doubling, never past the limit: a small output costs a small array
        kept = Arrays.copyOf(kept, (int) Math.min(limit, Math.max((long) size + take, 2L * kept.length)));
      }
      System.arraycopy(b, off, kept, size, take);
      size += take;
    }
    return !fullBefore && total > size;
  }

  /** The bytes kept: the first {@code min(limit, total)} bytes written. */
  public synchronized byte[] kept() {
    return Arrays.copyOf(kept, size);
  }

  /** How many bytes were written in all, kept or not. */
  public synchronized long total() {
    return total;
  }

  /** How many bytes were written past the limit and dropped. */
  public synchronized long dropped() {
    return total - size;
  }

  public int limit() {
    return limit;
  }
}

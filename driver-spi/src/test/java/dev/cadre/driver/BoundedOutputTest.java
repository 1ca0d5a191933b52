package dev.cadre.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

  @Test
  void keepsTheHeadUpToTheLimitAndCountsWhatItDrops() throws Exception {
    byte[] data = new byte[300_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    BoundedOutput out = BoundedOutput.drain(new ByteArrayInputStream(data), 100_000);
    assertArrayEquals(Arrays.copyOf(data, 100_000), out.kept());
    assertEquals(300_000, out.total());
    assertEquals(200_000, out.dropped());
  }

  @Test
  void aShortStreamIsKeptWhole() throws Exception {
    BoundedOutput out = new BoundedOutput(10);
    out.write("abc".getBytes());
    out.write('d');
    assertArrayEquals("abcd".getBytes(), out.kept());
    assertEquals(0, out.dropped());
  }

  @Test
  void aZeroLimitKeepsNothingButCounts() throws Exception {
    BoundedOutput out = new BoundedOutput(0);
    out.write(new byte[5000]);
    assertEquals(0, out.kept().length);
    assertEquals(5000, out.dropped());
  }

  @Test
  void drainingGigabytesNeedsOnlyTheLimitInMemory() throws Exception {
    long gib = 1L << 30;
    InputStream endless = new InputStream() {
      long left = gib;

      @Override
      public int read() {
        return left-- > 0 ? 'y' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        Arrays.fill(b, off, off + n, (byte) 'y');
        left -= n;
        return n;
      }
    };
    BoundedOutput out = BoundedOutput.drain(endless, 1024);
    assertEquals(1024, out.kept().length);
    assertEquals(gib - 1024, out.dropped());
  }
}

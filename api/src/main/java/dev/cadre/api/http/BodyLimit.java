package dev.cadre.api.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;

/**
 * The request body limit, enforced while the body is read rather than after: a declared
 * {@code Content-Length} past the limit is refused before a byte of it is read, and a chunked body
 * stops being read at the first byte past the limit (the read throws the 413). A large body is never
 * held whole, and the connection is closed {@link #LINGER} after the refusal whatever the client still sends.
 */
public final class BodyLimit implements Filter {
  /** One MiB: the largest request cadre takes (an app of 64 services with their config is far smaller). */
  public static final long DEFAULT_MAX_BYTES = 1L << 20;

  /**
   * How long a connection stays open after a refusal. Jetty 11 answers {@code Connection: close}, closes its
   * side for writing, then reads and throws away whatever the client still sends until the client closes: for
   * a body that never ends, forever. Closing at once instead resets the connection under a client still
   * sending, which can destroy the 413 before the client has read it (RFC 9112, 9.6: close in stages; Java's
   * HttpClient then fails instead of answering 413). Two seconds lets a client read its answer and stop.
   */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final long maxBytes;

  public BodyLimit(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the body limit must be positive");
    }
    this.maxBytes = maxBytes;
  }

  public static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "too_large", "request body is larger than " + maxBytes + " bytes",
        Map.of("max_bytes", maxBytes));
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    if (http.getContentLengthLong() > maxBytes) {
      refuse((HttpServletResponse) response);
      closeSoon(request);
      return;
    }
    Bounded bounded = new Bounded(http, maxBytes);
    chain.doFilter(bounded, response);
    if (bounded.overLimit()) {
      closeSoon(request);
    }
  }

  /** Closes the request's connection {@link #LINGER} from now; the answer has been sent by then. */
  private static void closeSoon(ServletRequest request) {
    HttpChannel channel = Request.getBaseRequest(request).getHttpChannel();
    EndPoint connection = channel.getEndPoint();
    channel.getConnector().getScheduler().schedule(connection::close, LINGER.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void refuse(HttpServletResponse response) throws IOException {
    ApiException e = tooLarge(maxBytes);
    response.setStatus(413);
    response.setHeader("Connection", "close");
    response.setContentType("application/json");
    byte[] body = Json.mapper().writeValueAsBytes(ErrorBody.of(e.code(), e.getMessage(), e.details()));
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer(); // committed now: Jetty must not wait for (or drain) the body before answering
  }

  /** The request with an input stream that refuses to go past the limit. */
  private static final class Bounded extends HttpServletRequestWrapper {
    private final long maxBytes;
    private Counting stream;

    Bounded(HttpServletRequest request, long maxBytes) {
      super(request);
      this.maxBytes = maxBytes;
    }

    @Override
    public synchronized ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), maxBytes);
      }
      return stream;
    }

    /** True when the handler tried to read past the limit (and got the 413). */
    synchronized boolean overLimit() {
      return stream != null && stream.read > maxBytes;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      String encoding = getCharacterEncoding();
      return new BufferedReader(new InputStreamReader(getInputStream(),
          encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long maxBytes;
    private long read;

    Counting(ServletInputStream in, long maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      // never ask for more than one byte past the limit, so the refusal comes without reading further
      int n = in.read(buffer, offset, (int) Math.min(length, maxBytes - read + 1));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (read > maxBytes) {
        throw tooLarge(maxBytes);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}

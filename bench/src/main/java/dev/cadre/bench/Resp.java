package dev.cadre.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal redis client over a real TCP connection (RESP2), for benchmarks that time what the server
 * acknowledged. One connection, one command at a time, short timeouts.
 */
final class Resp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  Resp(String host, String password) throws IOException {
    this(host, 6379, password);
  }

  /** {@code password} null: no AUTH. */
  Resp(String host, int port, String password) throws IOException {
    this(host, port, password, 2000);
  }

  /**
   * A connection for a writer that times an outage: it gives up on an address after {@code connectMs}, so
   * that the moment the address answers again is seen to within that.
   */
  static Resp quick(String host, String password) throws IOException {
    return new Resp(host, 6379, password, 500);
  }

  private Resp(String host, int port, String password, int connectMs) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), connectMs);
    socket.setSoTimeout(3000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    if (password != null) {
      Object auth = call("AUTH", password);
      if (!"OK".equals(auth)) {
        throw new IOException("AUTH answered " + auth);
      }
    }
  }

  /** The reply: a String for simple strings and bulk strings, Long, List, or an IOException for errors. */
  Object call(String... args) throws IOException {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    return read();
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n + 2);
        return new String(data, 0, n, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("connection closed or not RESP (" + type + ")");
    }
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\r') {
      b.append((char) c);
    }
    in.read(); // \n
    return b.toString();
  }

  /** True when the server acknowledged the write. */
  static boolean set(String host, String password, String key, String value) {
    try (Resp r = new Resp(host, password)) {
      return "OK".equals(r.call("SET", key, value));
    } catch (IOException e) {
      return false;
    }
  }

  static long dbsize(String host, String password) throws IOException {
    try (Resp r = new Resp(host, password)) {
      return (Long) r.call("DBSIZE");
    }
  }

  /** How many of the keys {@code prefix:0} .. {@code prefix:(n-1)} exist. */
  static long existing(String host, String password, String prefix, long n) throws IOException {
    long found = 0;
    try (Resp r = new Resp(host, password)) {
      for (long start = 0; start < n; start += 1000) {
        List<String> args = new ArrayList<>(List.of("EXISTS"));
        for (long i = start; i < Math.min(n, start + 1000); i++) {
          args.add(prefix + ":" + i);
        }
        found += (Long) r.call(args.toArray(String[]::new));
      }
    }
    return found;
  }

  /** "master" or "slave". */
  static String role(String host, String password) throws IOException {
    try (Resp r = new Resp(host, password)) {
      return (String) ((List<?>) r.call("ROLE")).get(0);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

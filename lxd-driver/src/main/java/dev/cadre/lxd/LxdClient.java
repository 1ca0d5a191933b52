package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.ServerIdentityException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.UnreachableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * A small client for the LXD REST API. It knows LXD's envelope (sync, async, error), waits on
 * background operations through {@code /wait} (finished operations vanish after a few seconds, so
 * they are never polled late) and turns every failure into a {@link DriverException} naming the host.
 */
public final class LxdClient implements AutoCloseable {
  static final MediaType JSON = MediaType.get("application/json");
  static final MediaType OCTETS = MediaType.get("application/octet-stream");
  private static final Duration WAIT_SLICE = Duration.ofSeconds(30);
  /** How much longer than the wait it asked for LXD may take to answer a {@code /wait} before it counts as gone. */
  private static final long WAIT_MARGIN_SECONDS = 10;
  /**
   * The largest JSON answer read. A listing of a few thousand instances with their state stays well
   * below; anything above it is refused instead of being held in memory.
   */
  static final int RESPONSE_LIMIT = 16 * 1024 * 1024;

  private final String host;
  private final String endpoint;
  private final OkHttpClient http;
  private final OkHttpClient sockets;
  private final HttpUrl base;
  private final ServerTrust trust;
  final ObjectMapper json = new ObjectMapper();

  LxdClient(String host, String endpoint, OkHttpClient http, HttpUrl base, ServerTrust trust) {
    this.host = host;
    this.endpoint = endpoint;
    this.http = http;
    this.sockets = websocketClient(http);
    this.base = base;
    this.trust = trust;
  }

  /**
   * Connects to {@code unix:///path/to/unix.socket} or {@code https://host:port}. For HTTPS a client
   * certificate is required and {@code serverFingerprint} pins the server's certificate (null: trust
   * on first use, see {@link #serverFingerprint()}).
   */
  public static LxdClient connect(String host, String endpoint, ClientCertificate certificate, String serverFingerprint) {
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(host, "endpoint is not a URI: " + endpoint);
    }
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(60, TimeUnit.SECONDS)
        .writeTimeout(60, TimeUnit.SECONDS)
        // LXD speaks HTTP/2 over TLS: every call to a host shares one connection, so a link that died
        // silently would hold each of them for its whole read timeout; an unanswered ping fails them all
        // at once, and the next call connects afresh (and fails within the connect timeout)
        .pingInterval(5, TimeUnit.SECONDS)
        .retryOnConnectionFailure(false);
    if ("unix".equals(uri.getScheme())) {
      if (uri.getPath() == null || uri.getPath().isEmpty()) {
        throw new InvalidInputException(host, "unix endpoint needs a socket path: " + endpoint);
      }
      Path socket = Path.of(uri.getPath());
      builder.socketFactory(new UnixSocketFactory(socket))
          .dns(hostname -> List.of(InetAddress.getLoopbackAddress()));
      return new LxdClient(host, endpoint, builder.build(), HttpUrl.get("http://lxd/"), null);
    }
    if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
      if (certificate == null) {
        throw new InvalidInputException(host, "an https endpoint needs a client certificate");
      }
      ServerTrust trust = new ServerTrust(serverFingerprint);
      try {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(certificate.keyManagers(), new TrustManager[] {trust}, new SecureRandom());
        builder.sslSocketFactory(tls.getSocketFactory(), trust).hostnameVerifier((h, s) -> true);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 8443;
      HttpUrl base = new HttpUrl.Builder().scheme("https").host(uri.getHost()).port(port).build();
      return new LxdClient(host, endpoint, builder.build(), base, trust);
    }
    throw new InvalidInputException(host, "endpoint must be unix:///path or https://host:port, got " + endpoint);
  }

  public String host() {
    return host;
  }

  public String endpoint() {
    return endpoint;
  }

  /** The SHA-256 fingerprint of the server certificate (pinned, or first seen); null over a unix socket. */
  public String serverFingerprint() {
    return trust == null ? null : trust.seenFingerprint();
  }

  /** The externally visible base URL when connected over HTTPS, else null. */
  HttpUrl httpsBase() {
    return trust == null ? null : base;
  }

  HttpUrl url(String path, Map<String, String> query) {
    HttpUrl.Builder b = base.newBuilder().encodedPath(path);
    query.forEach(b::addQueryParameter);
    return b.build();
  }

  // ---- JSON requests ------------------------------------------------------------------------

  /** GET and return the envelope's metadata. */
  public JsonNode get(String path) {
    return get(path, Map.of());
  }

  public JsonNode get(String path, Map<String, String> query) {
    return envelope(send(new Request.Builder().url(url(path, query)).get().build(), null)).path("metadata");
  }

  /**
   * Sends a JSON request; a synchronous answer returns its metadata, an asynchronous one is waited on
   * (up to {@code timeout}) and returns the finished operation's metadata.
   */
  public JsonNode call(String method, String path, Object body, Duration timeout) {
    JsonNode envelope = envelope(send(jsonRequest(method, path, body), null));
    if ("async".equals(envelope.path("type").asText())) {
      return waitFor(envelope.path("operation").asText(), timeout).path("metadata");
    }
    return envelope.path("metadata");
  }

  /** Starts an asynchronous request and returns its operation (not waited on). */
  public JsonNode start(String method, String path, Object body) {
    JsonNode envelope = envelope(send(jsonRequest(method, path, body), null));
    if (!"async".equals(envelope.path("type").asText())) {
      throw new HostFailureException(host, method + " " + path + " answered synchronously where an operation was expected");
    }
    return envelope.path("metadata");
  }

  Request jsonRequest(String method, String path, Object body) {
    RequestBody rb = null;
    if (body != null) {
      try {
        rb = RequestBody.create(json.writeValueAsBytes(body), JSON);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    } else if (!method.equals("GET") && !method.equals("DELETE")) {
      rb = RequestBody.create(new byte[0], JSON);
    }
    return new Request.Builder().url(url(path, Map.of())).method(method, rb).build();
  }

  /**
   * Waits for an operation to end, in slices of {@code /wait?timeout=}. Success returns the
   * operation; failure and cancellation throw; running past {@code timeout} throws TimedOut.
   */
  public JsonNode waitFor(String operationPath, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, Math.min(WAIT_SLICE.toSeconds(), (deadline - System.nanoTime() + 999_999_999L) / 1_000_000_000L));
      Request req = new Request.Builder().url(url(operationPath + "/wait", Map.of("timeout", Long.toString(left)))).get().build();
      JsonNode op = envelope(send(req, Duration.ofSeconds(left + WAIT_MARGIN_SECONDS))).path("metadata");
      String status = op.path("status").asText();
      switch (status) {
        case "Success":
          return op;
        case "Failure":
          throw LxdErrors.operationFailed(host, op.path("err").asText("operation failed"));
        case "Cancelled":
          throw new HostFailureException(host, "operation " + operationPath + " was cancelled");
        default:
          if (System.nanoTime() >= deadline) {
            throw new TimedOutException(host, "operation " + operationPath + " still " + status + " after " + timeout);
          }
      }
    }
  }

  // ---- raw bytes ----------------------------------------------------------------------------

  /**
   * A response body of at most {@code limit} bytes. Okio buffers only up to {@code limit + 1} bytes to
   * tell a body that fits from one that does not, and a larger body is not read on: closing the
   * response drops the connection.
   */
  private byte[] read(Response r, int limit, String kind, String what) throws IOException {
    ResponseBody body = r.body();
    if (body == null) {
      return new byte[0];
    }
    long length = body.contentLength();
    if (length > limit || body.source().request(limit + 1L)) {
      throw new HostFailureException(host, kind + " too large: " + what + " is "
          + (length > limit ? length + " bytes, " : "") + "more than the " + limit + " bytes cadre reads");
    }
    return body.source().readByteArray();
  }

  JsonNode postBytes(String path, Map<String, String> query, Map<String, String> headers, RequestBody body) {
    Request.Builder b = new Request.Builder().url(url(path, query)).post(body);
    headers.forEach(b::header);
    return envelope(send(b.build(), Duration.ofMinutes(10)));
  }

  /**
   * GETs a raw body (a file of an instance) into {@code out}, streamed in chunks, and answers how many bytes
   * it wrote. {@code expectedType} is what LXD's {@code X-LXD-type} header must say ("file"). More than
   * {@code maxBytes} stops the read ({@link dev.cadre.driver.FileTooLargeException}) and drops the
   * connection; an error answer is translated like any other.
   */
  long download(String path, Map<String, String> query, String expectedType, java.io.OutputStream out, long maxBytes,
      String what) {
    Request request = new Request.Builder().url(url(path, query)).get().build();
    Response response = send(request, null);
    if (!response.isSuccessful()) {
      envelope(response); // throws the translated error
      throw new HostFailureException(host, "GET " + path + " answered " + response.code());
    }
    try (response) {
      String type = response.header("X-LXD-type");
      if (expectedType != null && type != null && !expectedType.equals(type)) {
        throw new InvalidInputException(host, what + " is a " + type + ", not a " + expectedType);
      }
      ResponseBody body = response.body();
      if (body == null) {
        return 0;
      }
      if (body.contentLength() > maxBytes) {
        throw new dev.cadre.driver.FileTooLargeException(host, what, maxBytes);
      }
      byte[] chunk = new byte[64 * 1024];
      long total = 0;
      java.io.InputStream in = body.byteStream();
      for (int n; (n = in.read(chunk)) >= 0; ) {
        total += n;
        if (total > maxBytes) {
          throw new dev.cadre.driver.FileTooLargeException(host, what, maxBytes);
        }
        try {
          out.write(chunk, 0, n);
        } catch (IOException sink) {
          throw new UnavailableException(host, "cannot write what was read from " + what + ": " + sink.getMessage(),
              sink);
        }
      }
      return total;
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  void delete(String path) {
    envelope(send(new Request.Builder().url(url(path, Map.of())).delete().build(), null));
  }

  static RequestBody fileBody(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(null, "no such file: " + file);
    }
    return RequestBody.create(file.toFile(), OCTETS);
  }

  WebSocket websocket(String path, Map<String, String> query, WebSocketListener listener) {
    return sockets.newWebSocket(new Request.Builder().url(url(path, query)).build(), listener);
  }

  /**
   * Websockets stay open for as long as a command runs and may be silent (no read timeout). OkHttp
   * counts an open websocket as a running call of its dispatcher, whose default allows 5 per host: an
   * exec needs 4 at once, and LXD starts the command only when all 4 are attached, so execs running
   * in parallel would starve each other. They get a dispatcher of their own without that limit.
   */
  private static OkHttpClient websocketClient(OkHttpClient http) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(4096);
    dispatcher.setMaxRequestsPerHost(4096);
    // no pings: LXD answers a websocket's ping only while it reads that websocket, and it never reads some
    return http.newBuilder().readTimeout(0, TimeUnit.SECONDS).pingInterval(0, TimeUnit.SECONDS).dispatcher(dispatcher)
        .build();
  }

  // ---- the one place where transport and envelope failures become exceptions ----------------

  private Response send(Request request, Duration readTimeout) {
    OkHttpClient client = readTimeout == null ? http
        : http.newBuilder().readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS).build();
    try {
      return client.newCall(request).execute();
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /**
   * Transport failures as typed faults: no connection at all (refused, no route, no socket file, the
   * connect timing out) is Unreachable; a connection that stopped answering within the read or call
   * deadline is TimedOut; anything else that broke mid-call stays plain Unavailable.
   */
  DriverException unreachable(IOException e) {
    if (e instanceof SSLException && trust != null && trust.refusedFingerprint() != null) {
      return new ServerIdentityException(host, trust.seenFingerprint(), trust.refusedFingerprint(), e);
    }
    if (e instanceof SSLException) {
      return new UnauthorizedException(host, "TLS handshake with " + endpoint + " failed: " + e.getMessage(), e);
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException
        || connectTimedOut(e)) {
      return new UnreachableException(host, "cannot connect to LXD at " + endpoint + ": " + e.getMessage(), e);
    }
    if (e instanceof InterruptedIOException) {
      // SocketTimeoutException (read/write timeout) and OkHttp's call timeout both land here
      return new TimedOutException(host, "LXD at " + endpoint + " did not answer in time: " + e.getMessage(), e);
    }
    return new UnavailableException(host, "cannot reach LXD at " + endpoint + ": " + e, e);
  }

  /** The JDK words a connect that ran out of time as a SocketTimeoutException whose message says "connect". */
  private static boolean connectTimedOut(IOException e) {
    return e instanceof SocketTimeoutException && e.getMessage() != null
        && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect");
  }

  /** Parses LXD's envelope; any error (by status or by {@code type: error}) is thrown translated. */
  JsonNode envelope(Response response) {
    try (response) {
      String text = new String(read(response, RESPONSE_LIMIT, "response", "the answer to "
          + response.request().method() + " " + response.request().url().encodedPath()), StandardCharsets.UTF_8);
      JsonNode node;
      try {
        node = text.isBlank() ? json.createObjectNode() : json.readTree(text);
      } catch (IOException notJson) {
        if (!response.isSuccessful()) {
          throw LxdErrors.translate(host, response.code(), text.strip());
        }
        throw new HostFailureException(host, "LXD answered with something that is not JSON: " + abbreviate(text));
      }
      if (!response.isSuccessful() || "error".equals(node.path("type").asText())) {
        int code = node.path("error_code").asInt(response.code());
        throw LxdErrors.translate(host, code, node.path("error").asText(response.message()));
      }
      return node;
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  ObjectNode object() {
    return json.createObjectNode();
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    sockets.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}

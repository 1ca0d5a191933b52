package dev.cadre.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * A small client of cadre's REST API on {@link java.net.http}. Every HTTP error becomes a
 * {@link CliException} with the server's own message and the matching exit code, in one place.
 */
public final class CadreClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final String baseUrl;
  private final String token;
  private final Path tokenFile;
  private final HttpClient http;

  public CadreClient(String baseUrl, String token, Path tokenFile) {
    this(baseUrl, token, tokenFile, null);
  }

  /** {@code fingerprint}: the SHA-256 of the server's certificate to trust alone; null trusts the system's CAs. */
  public CadreClient(String baseUrl, String token, Path tokenFile, String fingerprint) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.tokenFile = tokenFile;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (fingerprint != null) {
      builder.sslContext(new PinnedCertificate(fingerprint).context());
    }
    this.http = builder.build();
  }

  /** One server-sent event. */
  public record Event(String id, String type, String data) {}

  public JsonNode get(String path) {
    return send(request(path, REQUEST_TIMEOUT).GET().build());
  }

  /**
   * A list endpoint, every page of it: follows {@code X-Next-Cursor} (at most 1,000 items a page) and answers
   * one JSON array, so a list longer than a page is shown whole.
   */
  public com.fasterxml.jackson.databind.node.ArrayNode getAll(String path) {
    com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
    String cursor = null;
    String separator = path.contains("?") ? "&" : "?";
    for (int pages = 0; pages < 100_000; pages++) {
      String url = path + separator + "limit=1000" + (cursor == null ? ""
          : "&after=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      HttpResponse<byte[]> response = exchange(request(url, REQUEST_TIMEOUT).GET().build());
      JsonNode page = json(response);
      if (!page.isArray()) {
        throw new CliException(ExitCodes.SERVER_ERROR, "the server answered " + path + " with something other than a list");
      }
      page.forEach(all::add);
      String next = response.headers().firstValue("X-Next-Cursor").orElse(null);
      if (next == null || next.equals(cursor) || page.isEmpty()) {
        return all;
      }
      cursor = next;
    }
    throw new CliException(ExitCodes.SERVER_ERROR, "the server kept answering more pages of " + path);
  }

  public JsonNode post(String path, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "cannot encode the request: " + e.getMessage(), e);
    }
    return send(request(path, REQUEST_TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
  }

  public JsonNode delete(String path) {
    return send(request(path, REQUEST_TIMEOUT).DELETE().build());
  }

  /**
   * Follows an operation until it is done or {@code total} passes, with server-side waits of at most
   * 30 s each so no single request outlives a proxy's patience. Answers the last state seen.
   */
  public JsonNode await(String operation, Duration total) {
    String path = operationPath(operation);
    Instant deadline = Instant.now().plus(total);
    JsonNode op = get(path);
    while (!done(op)) {
      long left = Duration.between(Instant.now(), deadline).toSeconds();
      if (left <= 0) {
        return op;
      }
      long slice = Math.min(30, left);
      op = send(request(path + "/wait?timeout=" + slice, Duration.ofSeconds(slice + 30)).GET().build());
    }
    return op;
  }

  /** Reads {@code path} as a server-sent event stream, handing each event on until {@code handler} answers false. */
  public void stream(String path, Predicate<Event> handler) {
    HttpRequest req = request(path, null, "text/event-stream").GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.FAILED, "interrupted");
    }
    if (response.statusCode() >= 300) {
      try (InputStream in = response.body()) {
        throw failure(response.statusCode(), in.readAllBytes());
      } catch (IOException e) {
        throw failure(response.statusCode(), new byte[0]);
      }
    }
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String type = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            if (!handler.test(new Event(id, type, data.toString()))) {
              return;
            }
          }
          id = null;
          type = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          continue;
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(field(line, 5));
        } else if (line.startsWith("event:")) {
          type = field(line, 6);
        } else if (line.startsWith("id:")) {
          id = field(line, 3);
        }
      }
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNREACHABLE, "the event stream from " + baseUrl + " broke: " + e.getMessage(), e);
    }
  }

  public static boolean done(JsonNode op) {
    String status = op.path("status").asText();
    return status.equals("success") || status.equals("failure") || status.equals("cancelled");
  }

  /** Accepts an operation id, its path {@code /v1/operations/ID}, or a full URL. */
  public static String operationPath(String operation) {
    String s = operation.trim();
    int at = s.indexOf("/v1/operations/");
    String id = at >= 0 ? s.substring(at + "/v1/operations/".length()) : s;
    if (id.isEmpty() || !id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new CliException(ExitCodes.INVALID, "not an operation id: " + operation);
    }
    return "/v1/operations/" + id;
  }

  private static String field(String line, int from) {
    String value = line.substring(from);
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    return request(path, timeout, "application/json");
  }

  private HttpRequest.Builder request(String path, Duration timeout, String accept) {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(baseUrl + path));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "not a valid server URL: " + baseUrl);
    }
    if (timeout != null) {
      b.timeout(timeout);
    }
    b.header("Accept", accept);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private JsonNode send(HttpRequest request) {
    return json(exchange(request));
  }

  private HttpResponse<byte[]> exchange(HttpRequest request) {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw unreachable(e);
    } catch (HttpTimeoutException e) {
      throw new CliException(ExitCodes.TIMEOUT, "the server at " + baseUrl + " did not answer in time");
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.FAILED, "interrupted");
    }
    if (response.statusCode() >= 300) {
      throw failure(response.statusCode(), response.body());
    }
    return response;
  }

  private JsonNode json(HttpResponse<byte[]> response) {
    try {
      byte[] body = response.body();
      return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new CliException(ExitCodes.SERVER_ERROR, "the server answered something that is not JSON: " + e.getMessage());
    }
  }

  private CliException unreachable(IOException e) {
    if (e instanceof javax.net.ssl.SSLException || e.getCause() instanceof javax.net.ssl.SSLException) {
      return new CliException(ExitCodes.UNREACHABLE, "TLS with cadre at " + baseUrl + " failed (" + e.getMessage()
          + "); trust the server's certificate with CADRE_FINGERPRINT or --fingerprint (the SHA-256 'cadre serve'"
          + " prints at start)", e);
    }
    String why = e instanceof ConnectException ? "connection refused"
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException(ExitCodes.UNREACHABLE, "cannot reach cadre at " + baseUrl + " (" + why
        + "); is 'cadre serve' running? Set CADRE_URL or --url to point elsewhere", e);
  }

  private CliException failure(int status, byte[] body) {
    String code = null;
    String message = null;
    try {
      JsonNode error = JSON.readTree(body).path("error");
      code = error.path("code").asText(null);
      message = error.path("message").asText(null);
    } catch (IOException | RuntimeException ignored) {
      // not our error shape: fall back to the status line
    }
    if (message == null) {
      message = "HTTP " + status;
    }
    StringBuilder text = new StringBuilder(message);
    text.append(" (").append(code == null ? "http" : code).append(", HTTP ").append(status).append(')');
    if (status == 401) {
      text.append(token == null
          ? "; no token: set CADRE_TOKEN or --token, or create " + tokenFile + " (cadre serve writes it in its data dir)"
          : "; the token was refused: check CADRE_TOKEN, --token or " + tokenFile);
    }
    return new CliException(ExitCodes.forStatus(status), text.toString());
  }
}

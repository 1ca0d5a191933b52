package dev.cadre.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.api.auth.AdminToken;
import dev.cadre.manager.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The real server on a random loopback port in front of a given control plane, and a small HTTP client for it. */
final class ApiHarness implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final ApiServer server;
  final String token;
  final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A client of a server started elsewhere (in-process {@code serve} or a separate process). */
  ApiHarness(String base, String token) {
    this.server = null;
    this.base = base;
    this.token = token;
  }

  ApiHarness(ControlPlane plane, Path dataDir) {
    AdminToken admin = AdminToken.loadOrCreate(dataDir);
    try {
      this.token = Files.readString(admin.tokenFile()).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.server = ApiServer.start(plane, admin, "127.0.0.1", 0);
    this.base = "http://127.0.0.1:" + server.port();
  }

  record Response(int status, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(raw.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + raw.body(), e);
      }
    }

    String body() {
      return raw.body();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  Response get(String path) {
    return call("GET", path, null, token);
  }

  Response post(String path, String body) {
    return call("POST", path, body, token);
  }

  Response delete(String path) {
    return call("DELETE", path, null, token);
  }

  /** Follows an operation (its URL or id) until done; fails the test if it is not done in time. */
  JsonNode await(String operation, Duration timeout) {
    String path = operation.startsWith("/") ? operation : "/v1/operations/" + operation;
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode op = get(path).json();
    while (!isDone(op)) {
      long left = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("operation not done in " + timeout + ": " + op);
      }
      op = get(path + "/wait?timeout=" + Math.min(30, left)).json();
    }
    return op;
  }

  static boolean isDone(JsonNode op) {
    String s = op.path("status").asText();
    return s.equals("success") || s.equals("failure") || s.equals("cancelled");
  }

  Response call(String method, String path, String body, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Raw request, for bodies and headers the helpers above would not send. */
  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}

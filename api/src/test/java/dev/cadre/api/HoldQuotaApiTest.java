package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cadre.api.auth.AdminToken;
import dev.cadre.manager.EventView;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-token quota of open waits and event streams, here one place: every place taken is given back,
 * however the request that took it ends (a leak would lock the token out of streams until a restart).
 */
class HoldQuotaApiTest {
  @TempDir Path dir;
  final FakeControlPlane plane = new FakeControlPlane();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  ApiServer server;
  String token;

  @BeforeEach
  void start() throws IOException {
    AdminToken admin = AdminToken.loadOrCreate(dir);
    token = Files.readString(admin.tokenFile()).trim();
    server = ApiServer.start(plane, admin, ApiServer.Options.plain("127.0.0.1", 0).withHoldsPerToken(1));
  }

  @AfterEach
  void stop() {
    server.close();
    plane.close();
  }

  private HttpResponse<InputStream> events(String method) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events"))
        .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream")
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Opens a stream and closes it at once: 200 when the token's place was free, 429 when it was not. */
  private int tryStream() throws Exception {
    HttpResponse<InputStream> r = events("GET");
    r.body().close();
    return r.statusCode();
  }

  @Test
  void anEventStreamThatClosesGivesItsPlaceBack() throws Exception {
    HttpResponse<InputStream> first = events("GET");
    assertEquals(200, first.statusCode());
    assertEquals(429, tryStream(), "the token's one place is taken");
    first.body().close();
    // the server learns that a client left when a write to it fails: events make writes
    int status = 429;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (long id = 1; status == 429 && System.nanoTime() < deadline; id++) {
      plane.emit(new EventView(id, "host", "hosts/h1", Map.of("state", "ready"), FakeControlPlane.T0));
      Thread.sleep(50);
      status = tryStream();
    }
    assertEquals(200, status, "the closed stream's place was not given back");
  }

  @Test
  void aRequestForEventsThatNeverStreamsGivesItsPlaceBack() throws Exception {
    for (String method : List.of("HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
      HttpResponse<InputStream> r = events(method);
      r.body().close();
      assertNotEquals(429, r.statusCode(), method + " /v1/events: an earlier request kept its place");
    }
    assertEquals(200, tryStream(), "a request that never became a stream kept its place");
  }
}

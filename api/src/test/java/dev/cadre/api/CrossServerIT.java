package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.HostDriver;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code cadre serve} processes (separate JVMs) on one PostgreSQL schema and the real LXD host 1, every
 * call over HTTP: server B cancels a create that server A runs, B's {@code /wait} returns when A finishes, an
 * event stream on B carries A's events in order, and a client of B that reconnects with {@code Last-Event-ID}
 * gets exactly the events after it.
 */
class CrossServerIT {
  @TempDir Path dir;
  ServerGroup group;
  HostDriver lxd;
  final String app = "cs" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

  @BeforeEach
  void setUp() throws Exception {
    group = new ServerGroup(dir);
    lxd = RealLxd.open(dir.resolve("lxd-client"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (group != null) {
      group.close();
    }
    if (lxd != null) {
      RealLxd.removeAndClose(lxd, app);
    }
  }

  Set<String> ours() {
    return RealLxd.containersOf(lxd, app);
  }

  /** One event as the stream sends it. */
  record Sse(long id, String type, JsonNode data) {}

  /** Reads {@code /v1/events} of a server in the background (from {@code lastId} when not null). */
  static final class Stream implements AutoCloseable {
    final List<Sse> events = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private final Thread reader;

    Stream(ServerProcess s, Long lastId) throws Exception {
      String token = Files.readString(s.data().resolve("admin-token")).trim();
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(s.base() + "/v1/events"))
          .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
      if (lastId != null) {
        r.header("Last-Event-ID", Long.toString(lastId));
      }
      HttpResponse<InputStream> answer = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, answer.statusCode());
      body = answer.body();
      reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        long id = -1;
        String type = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("id:")) {
            id = Long.parseLong(line.substring(3).trim());
          } else if (line.startsWith("event:")) {
            type = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            // the data line is the whole event (id, type, subject, data, at): what the event says is its data
            events.add(new Sse(id, type, ApiHarness.JSON.readTree(line.substring(5).trim()).path("data")));
          }
        }
      } catch (Exception closed) {
        // the test closed the stream
      }
    }

    boolean saw(String operation, String status) {
      return events.stream().anyMatch(e -> "operation".equals(e.type()) && operation.equals(e.data().path("id").asText())
          && status.equals(e.data().path("status").asText()));
    }

    @Override
    public void close() throws Exception {
      body.close();
      reader.join(5_000);
    }
  }

  static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(50);
    }
  }

  @Test
  void cancelWaitAndEventsCrossFromOneServerToTheOther() throws Exception {
    ServerProcess a = group.start("a");
    ServerProcess b = group.start("b");
    ApiHarness onA = a.api();
    ApiHarness onB = b.api();
    Response host = onA.post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, host.status(), host.body());
    assertEquals("success", onA.await(host.json().path("operation").asText(), Duration.ofSeconds(120))
        .path("status").asText());

    try (Stream stream = new Stream(b, null)) {
      // a create that A runs, cancelled through B once its first container exists
      Response created = onA.post("/v1/apps", RealLxd.appBody(app, "busybox", 3));
      assertEquals(202, created.status(), created.body());
      String create = created.json().path("operation").asText().replace("/v1/operations/", "");
      await("no container appeared", () -> !ours().isEmpty());
      Response cancel = onB.delete("/v1/operations/" + create);
      assertEquals(200, cancel.status(), cancel.body());
      Response waited = onB.get("/v1/operations/" + create + "/wait?timeout=120");
      assertEquals(200, waited.status(), waited.body());
      assertEquals("cancelled", waited.json().path("status").asText(), waited.body());
      assertEquals(Set.of(), ours(), "the cancelled create left containers");
      assertEquals(404, onB.get("/v1/apps/" + app).status());

      // a create that A runs to its end: B's wait returns with it
      Response again = onA.post("/v1/apps", RealLxd.appBody(app, "busybox", 1));
      assertEquals(202, again.status(), again.body());
      String second = again.json().path("operation").asText().replace("/v1/operations/", "");
      JsonNode done = onB.get("/v1/operations/" + second + "/wait?timeout=120").json();
      assertEquals("success", done.path("status").asText(), done.toString());

      // B's stream carried A's events, in the order of their ids
      await("B's stream lacks A's cancelled create", () -> stream.saw(create, "cancelled"));
      await("B's stream lacks A's finished create", () -> stream.saw(second, "success"));
      List<Long> ids = stream.events.stream().map(Sse::id).toList();
      List<Long> sorted = new ArrayList<>(ids);
      sorted.sort(null);
      assertEquals(sorted, ids, "events in the order of their ids");
      assertEquals(Set.copyOf(ids).size(), ids.size(), "no event twice");
      assertTrue(stream.events.stream().anyMatch(e -> "member".equals(e.type())), "member events too");

      // a client of B that left after the cancel comes back with Last-Event-ID: exactly what followed it
      long cancelledAt = stream.events.stream().filter(e -> "operation".equals(e.type())
          && create.equals(e.data().path("id").asText()) && "cancelled".equals(e.data().path("status").asText()))
          .findFirst().orElseThrow().id();
      List<Long> after = ids.stream().filter(id -> id > cancelledAt).toList();
      assertFalse(after.isEmpty());
      try (Stream resumed = new Stream(b, cancelledAt)) {
        await("the resumed stream did not catch up", () -> resumed.events.size() >= after.size());
        assertEquals(after, resumed.events.stream().map(Sse::id).limit(after.size()).toList(),
            "the resumed stream starts right after the last event seen, with no gap");
      }
    }

    Response deleted = onB.delete("/v1/apps/" + app);
    assertEquals(202, deleted.status(), deleted.body());
    assertEquals("success", onB.await(deleted.json().path("operation").asText(), Duration.ofSeconds(120))
        .path("status").asText());
    assertEquals(Set.of(), ours());
    LeaderKillIT.assertNoAddressHeld(onB);
  }
}

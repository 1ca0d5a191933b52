package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.CopyRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * A copy's progress is what it sent: a decaying rate over a cut link is no progress (MoveIT's link cut), and
 * the bytes LXD reports reach the copy's listener as they grow, never less than before, never too often.
 */
class LxdCopyProgressTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void aRateThatDecaysIsNotProgress() throws Exception {
    String a = LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (60B/s)\"}"));
    String b = LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (12B/s)\"}"));
    assertEquals(a, b);
    assertEquals("{\"fs_progress\":\"m-db-1: 160B\"}", a);
  }

  @Test
  void moreBytesAreProgress() throws Exception {
    assertNotEquals(LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (60B/s)\"}")),
        LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 1.20MB (60B/s)\"}")));
  }

  private JsonNode progress(String figure) throws Exception {
    return json.readTree("{\"fs_progress\":\"" + figure + "\"}");
  }

  @Test
  void lxdsFiguresAreReadInItsDecimalUnits() throws Exception {
    CopyProgress p = new CopyProgress(n -> {});
    assertEquals(160, p.total(progress("m-db-1: 160B (60B/s)")));
    assertEquals(1_200_000, p.total(progress("m-db-1: 1.20MB (60B/s)")));
    assertEquals(3_500_000_000L, p.total(progress("m-db-1: 3.50GB (1.00MB/s)")));
    assertEquals(0, new CopyProgress(n -> {}).total(json.readTree("{\"control\":\"abc\"}")), "no figure, nothing sent");
    assertEquals(2048, CopyProgress.bytes("2", "KiB"), "binary units, should LXD write them");
    assertEquals(12_340, new CopyProgress(n -> {}).total(progress("12.34kB (1.00kB/s)")), "a figure without a name");
  }

  @Test
  void eachVolumeCountsFromZeroAndTheTotalAddsThemUp() throws Exception {
    CopyProgress p = new CopyProgress(n -> {});
    assertEquals(2_000_000, p.total(progress("snap0: 2.00MB (1.00MB/s)")));
    assertEquals(2_000_100, p.total(progress("m-db-1: 100B (1.00MB/s)")), "the snapshot is done, the instance begins");
    assertEquals(3_000_000, p.total(progress("m-db-1: 1.00MB (1.00MB/s)")));
    assertEquals(3_000_500, p.total(progress("m-db-1: 500B (1.00MB/s)")), "a second pass over the same volume");
    assertEquals(4_000_500, p.total(json.readTree("{\"fs_progress\":\"m-db-1: 500B (1.00MB/s)\","
        + "\"block_progress\":\"m-db-1: 1.00MB (1.00MB/s)\"}")), "keys add up too");
  }

  @Test
  void theListenerHearsLargerFiguresAtMostEveryHalfSecondAndTheLastAtOnce() throws Exception {
    AtomicLong nanos = new AtomicLong();
    List<Long> heard = new ArrayList<>();
    CopyProgress p = new CopyProgress(heard::add, nanos::get);
    p.read(progress("m-db-1: 1.00MB (1.00MB/s)"));
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
    p.read(progress("m-db-1: 2.00MB (1.00MB/s)"));
    assertEquals(List.of(1_000_000L), heard, "200 ms after the last: not yet");
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
    p.read(progress("m-db-1: 2.50MB (1.00MB/s)"));
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
    p.read(progress("m-db-1: 2.50MB (0B/s)"));
    assertEquals(List.of(1_000_000L, 2_500_000L), heard, "the same figure again is not news");
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    p.end(progress("m-db-1: 2.60MB (0B/s)"));
    assertEquals(List.of(1_000_000L, 2_500_000L, 2_600_000L), heard, "the figure it ended with comes at once");
  }

  @Test
  void aListenerThatFailsIsIgnored() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CopyProgress p = new CopyProgress(n -> {
      calls.incrementAndGet();
      throw new IllegalStateException("the store does not answer");
    });
    p.end(progress("m-db-1: 1.00MB (1.00MB/s)"));
    assertEquals(1, calls.get());
  }

  /**
   * A whole copy against two scripted LXD servers: the source's migration reports more each time it is asked,
   * and the listener hears each figure and the one the migration ended with.
   */
  @Test
  void aCopyTellsItsListenerWhatLxdSaysItSent() throws Exception {
    try (MockWebServer source = new MockWebServer(); MockWebServer target = new MockWebServer()) {
      AtomicInteger looks = new AtomicInteger();
      String[] figures = {"c1: 1.00MB (1.00MB/s)", "c1: 2.50MB (1.50MB/s)"};
      source.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest r) {
          String path = r.getRequestUrl().encodedPath();
          if (path.equals("/1.0/instances/c1") && r.getMethod().equals("GET")) {
            return sync("{\"architecture\":\"x86_64\",\"profiles\":[\"default\"],\"config\":{},\"devices\":{}}");
          }
          if (path.equals("/1.0/instances/c1") && r.getMethod().equals("POST")) {
            return async("s1", "{}");
          }
          if (path.equals("/1.0/operations/s1/wait")) {
            int n = looks.get();
            return n < figures.length
                ? sync(operation("Running", figures[n])).setHeadersDelay(1, TimeUnit.SECONDS)
                : sync(operation("Success", "c1: 3.00MB (1.00MB/s)"));
          }
          if (path.equals("/1.0/operations/s1")) {
            return sync(operation("Running", figures[Math.min(figures.length - 1, looks.getAndIncrement())]));
          }
          return new MockResponse().setResponseCode(404).setBody(notFound());
        }
      });
      target.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest r) {
          String path = r.getRequestUrl().encodedPath();
          return switch (path) {
            case "/1.0" -> sync("{\"environment\":{\"certificate\":\"pem\",\"addresses\":[\"127.0.0.1:8443\"]}}");
            case "/1.0/profiles/default" -> sync("{\"devices\":{}}");
            case "/1.0/instances" -> async("t1", "{\"control\":\"secret\"}");
            case "/1.0/operations/t1/wait" -> sync(operation("Success", null));
            default -> new MockResponse().setResponseCode(404).setBody(notFound());
          };
        }
      });
      List<Long> heard = new CopyOnWriteArrayList<>();
      new LxdCopy(driver(source), driver(target)).copy(new CopyRequest("c1", "c1", null, false, true),
          new CopyProgress(heard::add));
      assertEquals(List.of(1_000_000L, 2_500_000L, 3_000_000L), heard);
    }
  }

  private static LxdHostDriver driver(MockWebServer server) {
    return new LxdHostDriver(new LxdClient("mock-" + server.getPort(), server.url("/").toString(), new OkHttpClient(),
        server.url("/"), null));
  }

  private static MockResponse sync(String metadata) {
    return new MockResponse().setBody("{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,\"metadata\":"
        + metadata + "}");
  }

  private static MockResponse async(String id, String metadata) {
    return new MockResponse().setResponseCode(202).setBody("{\"type\":\"async\",\"status\":\"Operation created\","
        + "\"status_code\":100,\"operation\":\"/1.0/operations/" + id + "\",\"metadata\":{\"id\":\"" + id
        + "\",\"status\":\"Running\",\"metadata\":" + metadata + "}}");
  }

  private static String operation(String status, String figure) {
    return "{\"status\":\"" + status + "\",\"metadata\":" + (figure == null ? "null" : "{\"fs_progress\":\"" + figure
        + "\"}") + "}";
  }

  private static String notFound() {
    return "{\"type\":\"error\",\"error\":\"Not Found\",\"error_code\":404,\"metadata\":null}";
  }
}

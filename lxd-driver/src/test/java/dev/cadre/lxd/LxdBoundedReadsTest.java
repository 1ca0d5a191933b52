package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostFailureException;
import java.io.IOException;
import java.util.Arrays;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An LXD answer too large is refused, whether it says its length up front or streams it. */
class LxdBoundedReadsTest {
  private MockWebServer server;
  private LxdClient client;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start();
    client = new LxdClient("mock-host", server.url("/").toString(), new OkHttpClient(), server.url("/"), null);
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    server.shutdown();
  }

  /** A valid JSON envelope whose metadata is a string of {@code size} bytes. */
  private static Buffer envelope(int size) {
    byte[] filler = new byte[size];
    Arrays.fill(filler, (byte) 'x');
    return new Buffer().writeUtf8("{\"type\":\"sync\",\"metadata\":\"").write(filler).writeUtf8("\"}");
  }

  @Test
  void aJsonAnswerLargerThanTheLimitIsAHostFailureWithContentLength() {
    server.enqueue(new MockResponse().setBody(envelope(LxdClient.RESPONSE_LIMIT)));
    HostFailureException e = assertThrows(HostFailureException.class, () -> client.get("/1.0/instances"));
    assertTrue(e.getMessage().contains("response too large") && e.getMessage().contains("GET /1.0/instances"),
        e.getMessage());
  }

  @Test
  void aStreamedJsonAnswerLargerThanTheLimitIsAHostFailure() {
    server.enqueue(new MockResponse().setChunkedBody(envelope(LxdClient.RESPONSE_LIMIT), 64 * 1024));
    HostFailureException e = assertThrows(HostFailureException.class, () -> client.get("/1.0/instances"));
    assertTrue(e.getMessage().contains("response too large"), e.getMessage());
  }

  @Test
  void anAnswerJustWithinTheLimitIsRead() {
    server.enqueue(new MockResponse().setChunkedBody(envelope(LxdClient.RESPONSE_LIMIT - 30), 64 * 1024));
    assertEquals(LxdClient.RESPONSE_LIMIT - 30, client.get("/1.0/instances").asText().length());
  }
}

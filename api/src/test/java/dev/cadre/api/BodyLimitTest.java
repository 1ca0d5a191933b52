package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.api.auth.AdminToken;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request bodies past the limit are refused while they arrive, whatever their framing. */
class BodyLimitTest {
  @TempDir Path dir;
  ApiServer server;
  String token;

  @BeforeEach
  void start() throws IOException {
    AdminToken admin = AdminToken.loadOrCreate(dir);
    token = Files.readString(admin.tokenFile()).trim();
    server = ApiServer.start(new FakeControlPlane(), admin, new ApiServer.Options("127.0.0.1", 0, null, 64 << 10));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String head(String framing) {
    return "POST /v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
  }

  @Test
  void aChunkedBodyThatNeverEndsGets413ThenTheConnectionIsClosed() throws Exception {
    byte[] chunk = new byte[16 << 10];
    Arrays.fill(chunk, (byte) 'a');
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    framed.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    framed.write(chunk);
    framed.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    assertRefusedThenCut("Transfer-Encoding: chunked\r\n", framed.toByteArray());
  }

  @Test
  void aDeclaredLengthPastTheLimitIsRefusedBeforeTheBodyThenTheConnectionIsClosed() throws Exception {
    byte[] piece = new byte[16 << 10];
    Arrays.fill(piece, (byte) 'a');
    assertRefusedThenCut("Content-Length: " + (1L << 40) + "\r\n", piece);
  }

  /**
   * Sends a body that does not end (the same piece again and again), reads the answer while sending: a 413
   * that says it closes the connection, then the end of the stream; then the server must stop taking the
   * body, which the sender sees as a failed write. Jetty 11 alone would read on as long as the client sends.
   */
  private void assertRefusedThenCut(String framing, byte[] piece) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSendBufferSize(32 << 10); // so the kernel does not hold much body for a server that stopped reading
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head(framing).getBytes(StandardCharsets.US_ASCII));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Long> cutAt = CompletableFuture.supplyAsync(() -> {
        try {
          while (System.nanoTime() < deadline) {
            out.write(piece);
            sent.addAndGet(piece.length);
          }
          return -1L;
        } catch (IOException e) {
          return System.nanoTime(); // the server closed the connection on us: what we want
        }
      });
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 413 Payload Too Large", in.readLine());
      long answeredAt = System.nanoTime();
      long sentWhenAnswered = sent.get();
      List<String> headers = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        headers.add(line.toLowerCase(java.util.Locale.ROOT));
      }
      assertTrue(headers.contains("connection: close"), headers.toString());
      StringBuilder body = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        body.append(line);
      }
      // readLine reached the end: the server sent its answer whole and closed its side
      assertTrue(body.toString().contains("\"too_large\""), body.toString());
      long cut = cutAt.get(60, TimeUnit.SECONDS);
      assertTrue(cut > 0, "the server still read the body 30 s after answering (" + sent.get() + " bytes sent)");
      long lingered = TimeUnit.NANOSECONDS.toMillis(cut - answeredAt);
      assertTrue(lingered < 15_000, "the connection was closed " + lingered + " ms after the answer");
      assertTrue(sentWhenAnswered < 10 << 20, "answered after " + sentWhenAnswered + " bytes");
    }
  }

  @Test
  void aBodyUnderTheLimitIsRead() throws Exception {
    ApiHarness api = new ApiHarness("http://127.0.0.1:" + server.port(), token);
    ApiHarness.Response ok = api.post("/v1/hosts", ApiServerTest.HOST);
    assertEquals(202, ok.status(), ok.body());
    ApiHarness.Response large = api.post("/v1/hosts", "{\"name\":\"" + "a".repeat(64 << 10) + "\"}");
    assertEquals(413, large.status(), large.body());
    assertEquals("too_large", large.json().path("error").path("code").asText());
  }
}

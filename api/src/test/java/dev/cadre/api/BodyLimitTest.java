package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.api.auth.AdminToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request bodies past the limit are refused while they arrive, whatever their framing. */
class BodyLimitTest {
  private static final int TEN_MIB = 10 << 20;

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

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(20_000);
    return socket;
  }

  private String head(String framing) {
    return "POST /v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
  }

  @Test
  void aChunkedBodyPastTheLimitIs413BeforeTheClientHasSentIt() throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSendBufferSize(32 << 10); // so the kernel does not hold the body for a server that stopped reading
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head("Transfer-Encoding: chunked\r\n").getBytes(StandardCharsets.US_ASCII));
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        byte[] chunk = new byte[16 << 10];
        Arrays.fill(chunk, (byte) 'a');
        chunk[0] = '{';
        byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
          while (sent.get() < TEN_MIB) {
            out.write(size);
            out.write(chunk);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            sent.addAndGet(chunk.length);
            chunk[0] = 'a';
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          // the server closed the connection on us: what we want
        }
      });
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      long sentWhenAnswered = sent.get();
      assertEquals("HTTP/1.1 413 Payload Too Large", status);
      StringBuilder rest = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        rest.append(line).append('\n');
      }
      // the server closed the connection (readLine reached the end) instead of waiting for the next request
      assertTrue(rest.toString().contains("\"too_large\""), rest.toString());
      writer.get(20, TimeUnit.SECONDS);
      assertTrue(sentWhenAnswered < TEN_MIB, "answered after " + sentWhenAnswered + " bytes of " + TEN_MIB);
    }
  }

  @Test
  void aDeclaredLengthPastTheLimitIsRefusedBeforeTheBody() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head("Content-Length: " + TEN_MIB + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1024]); // Jetty dispatches a request once its first bytes of content are there
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 413 Payload Too Large", in.readLine());
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

package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnavailableException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * Exec in two modes. Without stdin, LXD records the output and we fetch the two logs afterwards (one
 * request to start, one to wait, two reads). With stdin, the command's streams are the operation's
 * websockets: stdin is sent then closed with LXD's end-of-stream barrier (an empty text message).
 */
final class LxdExec {
  private final LxdClient client;

  LxdExec(LxdClient client) {
    this.client = client;
  }

  ExecResult run(String instance, ExecRequest request) {
    return request.stdin() == null ? recorded(instance, request) : streamed(instance, request);
  }

  private ObjectNode body(ExecRequest request, boolean websockets) {
    ObjectNode body = client.object();
    request.argv().forEach(body.putArray("command")::add);
    ObjectNode env = body.putObject("environment");
    request.env().forEach(env::put);
    body.put("interactive", false);
    body.put("wait-for-websocket", websockets);
    body.put("record-output", !websockets);
    return body;
  }

  private ExecResult recorded(String instance, ExecRequest request) {
    JsonNode op = client.start("POST", "/1.0/instances/" + instance + "/exec", body(request, false));
    JsonNode done = client.waitFor("/1.0/operations/" + op.path("id").asText(), request.timeout());
    JsonNode meta = done.path("metadata");
    int exit = meta.path("return").asInt(-1);
    byte[] out = readLog(meta.path("output").path("1").asText(null));
    byte[] err = readLog(meta.path("output").path("2").asText(null));
    return new ExecResult(exit, out, err);
  }

  private byte[] readLog(String path) {
    if (path == null || path.isEmpty()) {
      return new byte[0];
    }
    byte[] data = client.getBytes(path, Map.of());
    try {
      client.delete(path);
    } catch (RuntimeException ignored) {
      // LXD cleans exec logs with the instance; leaving one behind costs only disk
    }
    return data;
  }

  private ExecResult streamed(String instance, ExecRequest request) {
    JsonNode op = client.start("POST", "/1.0/instances/" + instance + "/exec", body(request, true));
    String id = op.path("id").asText();
    JsonNode fds = op.path("metadata").path("fds");
    String path = "/1.0/operations/" + id + "/websocket";
    Stream stdin = new Stream();
    Stream stdout = new Stream();
    Stream stderr = new Stream();
    Stream control = new Stream();
    List<WebSocket> sockets = new ArrayList<>();
    try {
      sockets.add(client.websocket(path, Map.of("secret", fds.path("control").asText()), control));
      WebSocket in = client.websocket(path, Map.of("secret", fds.path("0").asText()), stdin);
      sockets.add(in);
      sockets.add(client.websocket(path, Map.of("secret", fds.path("1").asText()), stdout));
      sockets.add(client.websocket(path, Map.of("secret", fds.path("2").asText()), stderr));
      in.send(ByteString.of(request.stdin()));
      in.send("");
      long deadline = System.nanoTime() + request.timeout().toNanos();
      byte[] out = stdout.await(deadline);
      byte[] err = stderr.await(deadline);
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      JsonNode done = client.waitFor("/1.0/operations/" + id, Duration.ofMillis(left));
      return new ExecResult(done.path("metadata").path("return").asInt(-1), out, err);
    } finally {
      for (WebSocket s : sockets) {
        s.close(1000, null);
      }
    }
  }

  /** Collects one output stream until LXD's barrier, a close, or a failure. */
  private final class Stream extends WebSocketListener {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> done = new CompletableFuture<>();

    @Override
    public void onMessage(WebSocket ws, ByteString data) {
      synchronized (bytes) {
        bytes.write(data.toByteArray(), 0, data.size());
      }
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      finish();
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      finish();
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      finish();
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      finish();
    }

    private void finish() {
      synchronized (bytes) {
        done.complete(bytes.toByteArray());
      }
    }

    byte[] await(long deadlineNanos) {
      try {
        return done.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new TimedOutException(client.host(), "exec did not finish in time");
      } catch (ExecutionException e) {
        throw new HostFailureException(client.host(), "exec stream failed: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException(client.host(), "interrupted");
      }
    }
  }
}

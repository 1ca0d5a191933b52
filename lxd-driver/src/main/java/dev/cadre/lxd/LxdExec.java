package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.BoundedOutput;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
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
 * Exec through the operation's websockets, always: stdin (sent, or nothing, then closed with LXD's
 * end-of-stream barrier, an empty text message), stdout and stderr into {@link BoundedOutput}s, and the
 * control socket, through which a command still running at its timeout is killed.
 *
 * <p>Not LXD's {@code record-output} mode: there LXD writes the outputs to log files on the host's
 * disk, without a limit (a tenant's {@code yes} fills that disk), before cadre reads a byte of them.
 * Here the host only relays; cadre keeps {@link ExecRequest#outputLimit()} bytes per stream and drops
 * the rest as it arrives, or, with {@link ExecRequest#stopAtLimit()}, kills the command when a stream
 * passes the limit (LXD then ends the operation and the command's children lose their pipe).
 */
final class LxdExec {
  /**
   * SIGKILL, through LXD's control socket, to the command LXD started (not to its children: those that
   * still write get SIGPIPE once the output sockets are dropped, see {@link #kill}).
   */
  private static final String KILL = "{\"command\":\"signal\",\"signal\":9}";
  /** How long a killed command's operation is given to end, so the report can say it did. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  private static final WebSocketListener IGNORE = new WebSocketListener() {};

  private final LxdClient client;

  LxdExec(LxdClient client) {
    this.client = client;
  }

  private ObjectNode body(ExecRequest request) {
    ObjectNode body = client.object();
    request.argv().forEach(body.putArray("command")::add);
    ObjectNode env = body.putObject("environment");
    request.env().forEach(env::put);
    body.put("interactive", false);
    body.put("wait-for-websocket", true);
    body.put("record-output", false);
    return body;
  }

  ExecResult run(String instance, ExecRequest request) {
    long deadline = System.nanoTime() + request.timeout().toNanos();
    JsonNode op = client.start("POST", "/1.0/instances/" + instance + "/exec", body(request));
    String operation = "/1.0/operations/" + op.path("id").asText();
    JsonNode fds = op.path("metadata").path("fds");
    String path = operation + "/websocket";
    CompletableFuture<Void> overflow = new CompletableFuture<>();
    Runnable onOverflow = request.stopAtLimit() ? () -> overflow.complete(null) : null;
    Sink stdout = new Sink(request.outputLimit(), onOverflow);
    Sink stderr = new Sink(request.outputLimit(), onOverflow);
    CompletableFuture<Object> ended = CompletableFuture.anyOf(CompletableFuture.allOf(stdout.done, stderr.done), overflow);
    List<WebSocket> sockets = new ArrayList<>(4);
    List<WebSocket> outputs = new ArrayList<>(2);
    WebSocket control = null;
    boolean settled = false; // ended, or killed and reported
    try {
      // OkHttp opens the four at once; LXD starts the command when all of them are attached
      control = client.websocket(path, Map.of("secret", fds.path("control").asText()), IGNORE);
      sockets.add(control);
      WebSocket stdin = client.websocket(path, Map.of("secret", fds.path("0").asText()), IGNORE);
      sockets.add(stdin);
      outputs.add(client.websocket(path, Map.of("secret", fds.path("1").asText()), stdout));
      outputs.add(client.websocket(path, Map.of("secret", fds.path("2").asText()), stderr));
      sockets.addAll(outputs);
      // sends queue until the socket is open
      if (request.stdin() != null && request.stdin().length > 0) {
        stdin.send(ByteString.of(request.stdin()));
      }
      stdin.send("");
      boolean streamsEnded = await(ended, deadline);
      if (streamsEnded && overflow.isDone()) {
        settled = true;
        JsonNode killed = kill(control, outputs, operation);
        return ExecResult.of(killed == null ? -1 : killed.path("metadata").path("return").asInt(-1), stdout.output,
            stderr.output);
      }
      JsonNode done = streamsEnded ? awaitEnd(operation, deadline) : null;
      if (done == null) {
        settled = true;
        String why = kill(control, outputs, operation) != null ? "killed"
            : "kill sent but it had not ended " + seconds(KILL_GRACE) + "s later";
        throw new TimedOutException(client.host(), "exec of '" + request.argv().get(0) + "' in '" + instance
            + "' timed out after " + seconds(request.timeout()) + "s, " + why + "; it had written "
            + stdout.output.total() + " bytes to stdout and " + stderr.output.total() + " to stderr (at most "
            + request.outputLimit() + " of each are kept)");
      }
      settled = true;
      return ExecResult.of(done.path("metadata").path("return").asInt(-1), stdout.output, stderr.output);
    } finally {
      if (!settled && control != null) {
        // interrupted or failed half-way: the command must not run on unattended
        control.send(KILL);
        outputs.forEach(WebSocket::cancel);
      }
      for (WebSocket s : sockets) {
        s.close(1000, null);
      }
    }
  }

  /** True when {@code future} completed before the deadline. */
  private boolean await(CompletableFuture<?> future, long deadlineNanos) {
    try {
      future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(client.host(), "interrupted while waiting for an exec");
    }
  }

  /** The finished operation, or null when it was still running at the deadline. */
  private JsonNode awaitEnd(String operation, long deadline) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return null;
    }
    try {
      return client.waitFor(operation, Duration.ofNanos(left));
    } catch (TimedOutException stillRunning) {
      if (System.nanoTime() - deadline >= 0) {
        return null;
      }
      throw stillRunning;
    }
  }

  /**
   * Sends SIGKILL, drops the output sockets (LXD then closes the pipes, so children still writing get
   * SIGPIPE instead of being relayed on) and waits a little for the operation to end: the finished
   * operation, or null when it had not ended.
   */
  private JsonNode kill(WebSocket control, List<WebSocket> outputs, String operation) {
    control.send(KILL);
    outputs.forEach(WebSocket::cancel);
    try {
      return client.waitFor(operation, KILL_GRACE);
    } catch (DriverException notEnded) {
      return null;
    }
  }

  private static long seconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }

  /** Reads one output stream into a bounded sink until LXD's barrier, a close, or a failure. */
  private static final class Sink extends WebSocketListener {
    final BoundedOutput output;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Sink(int limit, Runnable onOverflow) {
      output = new BoundedOutput(limit, onOverflow);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString data) {
      try {
        data.write(output);
      } catch (IOException cannotHappen) {
        throw new IllegalStateException(cannotHappen);
      }
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      done.complete(null);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      done.complete(null);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      done.complete(null);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      // a connection that broke ends the stream; the operation's result says whether the command ran
      done.complete(null);
    }
  }
}

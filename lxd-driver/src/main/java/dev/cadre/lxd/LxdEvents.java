package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/** LXD's event stream ({@code /1.0/events}) as a listener. Closing the subscription closes the socket. */
public final class LxdEvents {
  private LxdEvents() {}

  /** One event: {@code type} is "lifecycle", "operation" or "logging"; {@code metadata} as LXD sent it. */
  public record Event(String type, String timestamp, JsonNode metadata) {}

  /** A live subscription. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  public static Subscription subscribe(LxdClient client, String types, Consumer<Event> listener, Consumer<Throwable> onFailure) {
    WebSocket socket = client.websocket("/1.0/events", Map.of("type", types), new WebSocketListener() {
      @Override
      public void onMessage(WebSocket ws, String text) {
        try {
          JsonNode node = client.json.readTree(text);
          listener.accept(new Event(node.path("type").asText(), node.path("timestamp").asText(), node.path("metadata")));
        } catch (IOException e) {
          onFailure.accept(e);
        }
      }

      @Override
      public void onFailure(WebSocket ws, Throwable t, Response response) {
        onFailure.accept(t);
      }
    });
    return () -> socket.close(1000, null);
  }
}

package dev.cadre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few calls of cadre's REST API the scale benches make, with the admin token; any other status than asked throws. */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  ApiClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** {@code POST /v1/hosts}; answers the operation's id (registration ends before the answer). */
  String registerHost(FakeHosts.Host h) throws IOException, InterruptedException {
    var body = JSON.createObjectNode().put("name", h.name()).put("driver", "fake").put("endpoint", "fake://" + h.name())
        .put("datacenter", h.datacenter()).put("network", "net0");
    return post("/v1/hosts", body).path("metadata").path("id").asText();
  }

  /** {@code POST /v1/apps} of busybox services ({@code counts}: members per service, named s1, s2, ...); answers the operation's id. */
  String createApp(String name, String datacenter, int... counts) throws IOException, InterruptedException {
    var body = JSON.createObjectNode().put("name", name).put("datacenter", datacenter);
    var services = body.putArray("services");
    for (int i = 0; i < counts.length; i++) {
      services.addObject().put("name", "s" + (i + 1)).put("template", "busybox").put("count", counts[i]);
    }
    return post("/v1/apps", body).path("metadata").path("id").asText();
  }

  /** Waits for the operation to end ({@code /wait}, again until it has); answers its final status. */
  String await(String operation) throws IOException, InterruptedException {
    while (true) {
      JsonNode op = JSON.readTree(get("/v1/operations/" + operation + "/wait?timeout=60"));
      String status = op.path("status").asText();
      if (!status.equals("pending") && !status.equals("running")) {
        return status.equals("success") ? status : status + ": " + op.path("error").asText();
      }
    }
  }

  /** The body of a {@code GET} answered 200. */
  byte[] get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + new String(r.body()));
    }
    return r.body();
  }

  private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 202 && r.statusCode() != 200 && r.statusCode() != 201) {
      throw new IOException("POST " + path + ": HTTP " + r.statusCode() + " " + new String(r.body()));
    }
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + token);
  }
}

package dev.cadre.manager.lxd;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The page a busybox member serves, asked for until it answers (10 s at most). */
final class WebPages {
  private WebPages() {}

  static String get(HttpClient http, String ip) throws Exception {
    Exception last = null;
    for (int i = 0; i < 20; i++) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + ip + "/")).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException e) {
        last = e;
        Thread.sleep(500);
      }
    }
    throw new AssertionError("no answer from " + ip, last);
  }
}

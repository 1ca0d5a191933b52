package dev.cadre.api.routes;

import dev.cadre.api.http.Check;

/** {@code POST /v1/apps/{app}/services/{svc}/convert}. */
public record ConvertBody(String topology) {
  public String validTopology() {
    return Check.word(topology, "topology");
  }
}

package dev.cadre.api.routes;

import dev.cadre.api.http.Check;
import dev.cadre.manager.HostRequest;

/** {@code POST /v1/hosts}. */
public record HostBody(String name, String driver, String endpoint, String datacenter, String network, String trust) {

  public HostRequest toRequest() {
    Check.name(name, "name");
    Check.word(driver, "driver");
    Check.endpoint(endpoint, "endpoint");
    Check.name(datacenter, "datacenter");
    Check.network(network, "network");
    if (trust != null) {
      Check.text(trust, "trust", 1024);
    }
    return new HostRequest(name, driver, endpoint, datacenter, network, trust);
  }
}

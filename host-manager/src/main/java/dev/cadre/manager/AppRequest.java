package dev.cadre.manager;

import java.util.List;

/** {@code keepFailed}: leave the containers of members whose provisioning failed, for inspection. */
public record AppRequest(String name, String datacenter, List<ServiceRequest> services, boolean keepFailed) {
  public AppRequest {
    services = services == null ? List.of() : List.copyOf(services);
  }
}

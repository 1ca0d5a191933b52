package dev.cadre.api.routes;

import dev.cadre.api.http.Check;
import dev.cadre.manager.RestoreRequest;

/** {@code POST /v1/apps/{app}/services/{svc}/backups/{id}/restore}: the new app, its service, its datacenter. */
public record RestoreBody(String app, String service, String datacenter) {
  public RestoreRequest toRequest() {
    return new RestoreRequest(Check.name(app, "app"), Check.name(service, "service"),
        Check.name(datacenter, "datacenter"));
  }
}

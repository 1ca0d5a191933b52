package dev.cadre.api.routes;

import dev.cadre.api.http.Check;

/** {@code POST /v1/apps/{app}/move}. */
public record MoveBody(String datacenter, Boolean dryRun) {
  public String validDatacenter() {
    return Check.name(datacenter, "datacenter");
  }

  public boolean dryRunRequested() {
    return Boolean.TRUE.equals(dryRun);
  }
}

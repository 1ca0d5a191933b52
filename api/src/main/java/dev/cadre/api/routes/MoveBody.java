package dev.cadre.api.routes;

import dev.cadre.api.http.Check;

/** {@code POST /v1/apps/{app}/move}: {@code method} is {@code copy} (the default), {@code replicate} or {@code hooks}. */
public record MoveBody(String datacenter, Boolean dryRun, String method) {
  public String validDatacenter() {
    return Check.name(datacenter, "datacenter");
  }

  public boolean dryRunRequested() {
    return Boolean.TRUE.equals(dryRun);
  }

  public String validMethod() {
    if (method == null || method.equals("copy") || method.equals("replicate") || method.equals("hooks")) {
      return method;
    }
    throw new dev.cadre.driver.InvalidInputException(null, "method must be copy, replicate or hooks");
  }
}

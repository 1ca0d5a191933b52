package dev.cadre.api.http;

import java.util.Map;

/** A refusal that already knows its HTTP status and error code; thrown by routes, rendered once. */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, Object> details;

  public ApiException(int status, String code, String message, Map<String, Object> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details == null ? Map.of() : Map.copyOf(details);
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "invalid_input", message);
  }

  public static ApiException badRequest(String message, String field) {
    return new ApiException(400, "invalid_input", message, Map.of("field", field));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }
}

package dev.cadre.api.http;

import java.util.Map;

/** The one error shape: {@code {"error": {"code", "message", "details"}}}. */
public record ErrorBody(Error error) {
  public record Error(String code, String message, Map<String, Object> details) {
    public Error {
      details = details == null ? Map.of() : Map.copyOf(details);
    }
  }

  public static ErrorBody of(String code, String message, Map<String, Object> details) {
    return new ErrorBody(new Error(code, message, details));
  }
}

package dev.cadre.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a request body strictly into a record; every way it can be wrong is a 400 naming the field. The
 * size was bounded while the body was read ({@link BodyLimit}: 413).
 */
public final class Bodies {
  private Bodies() {}

  public static <T> T read(Context ctx, Class<T> type) {
    return parse(ctx.bodyAsBytes(), type);
  }

  /** Routes that take no input accept no body or {@code {}}; anything else is refused like an unknown field. */
  public static void requireNone(Context ctx) {
    byte[] body = ctx.bodyAsBytes();
    if (body.length > 0 && !new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      parse(body, None.class);
    }
  }

  /** The empty request: no fields at all. */
  record None() {}

  /** Pure: parses {@code body} as a {@code type}, translating Jackson's complaints. */
  public static <T> T parse(byte[] body, Class<T> type) {
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw new ApiException(400, "invalid_input", "a JSON object is required as the request body");
    }
    T value;
    try {
      value = Json.mapper().readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("field", path(e));
      details.put("known", e.getKnownPropertyIds() == null ? java.util.List.of()
          : e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.toList()));
      throw new ApiException(400, "unknown_field", "unknown field '" + path(e) + "'", details);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw new ApiException(400, "invalid_input", "invalid value at '" + path(e) + "'", Map.of("field", path(e)));
    } catch (MismatchedInputException e) {
      String field = path(e);
      String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
      throw new ApiException(400, "invalid_type",
          field.isEmpty() ? "the request body must be a JSON object" : "field '" + field + "' must be " + expected,
          Map.of("field", field, "expected", expected));
    } catch (JsonMappingException e) {
      // a syntax error inside a nested value arrives wrapped in a mapping exception
      if (e.getCause() instanceof JsonProcessingException syntax && !(syntax instanceof JsonMappingException)) {
        throw malformed(syntax);
      }
      throw new ApiException(400, "invalid_input", "invalid value at '" + path(e) + "': " + e.getOriginalMessage(),
          Map.of("field", path(e)));
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "unreadable request body: " + e.getMessage());
    }
    if (value == null) {
      throw new ApiException(400, "invalid_input", "a JSON object is required as the request body");
    }
    return value;
  }

  private static ApiException malformed(JsonProcessingException e) {
    return new ApiException(400, "malformed_json", "malformed JSON: " + e.getOriginalMessage(),
        e.getLocation() == null ? Map.of()
            : Map.of("line", e.getLocation().getLineNr(), "column", e.getLocation().getColumnNr()));
  }

  private static String describe(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean";
    }
    if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "a " + type.getSimpleName();
  }

  /** {@code services[0].name} from Jackson's reference chain. */
  static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }
}

package dev.cadre.api.routes;

import dev.cadre.api.http.ApiException;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Pagination of list endpoints: {@code ?limit=N&after=CURSOR}. The answer stays a JSON array (existing
 * clients keep working); when more items follow, {@code Link: <...>; rel="next"} and {@code X-Next-Cursor}
 * say where. The cursor is the key (name, or backup id) of the last item answered, so a page does not
 * shift when items before it come or go.
 */
public final class Pages {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  public static final String NEXT_CURSOR = "X-Next-Cursor";
  private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private Pages() {}

  /** Pure: the {@code limit} query parameter, 1..1000, default 100. */
  public static int limit(String raw) {
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    int limit;
    try {
      limit = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ApiException(400, "invalid_input", "limit must be a whole number between 1 and " + MAX_LIMIT,
          Map.of("parameter", "limit"));
    }
    return limit;
  }

  /** Pure: the {@code after} query parameter: null, or a cursor from {@code X-Next-Cursor}. */
  public static String after(String raw) {
    if (raw == null) {
      return null;
    }
    if (!CURSOR.matcher(raw).matches()) {
      throw new ApiException(400, "invalid_input", "after must be a cursor from " + NEXT_CURSOR
          + " (a name or id: letters, digits, '_' and '-')", Map.of("parameter", "after"));
    }
    return raw;
  }

  /**
   * Answers the page of {@code ordered} (already in its stable order, each key unique) that the query asks
   * for, with the next-page headers when more follow. {@code sortedByKey}: a cursor past the end or between
   * keys is fine (names); otherwise it must be the key of an item (backups in the order they were made).
   */
  public static <T> List<T> page(Context ctx, List<T> ordered, Function<T, String> key, boolean sortedByKey) {
    int limit = limit(ctx.queryParam("limit"));
    String after = after(ctx.queryParam("after"));
    int from = after == null ? 0 : start(ordered, key, sortedByKey, after);
    int to = Math.min(ordered.size(), from + limit);
    List<T> page = List.copyOf(ordered.subList(from, to));
    if (to < ordered.size()) {
      String next = key.apply(page.get(page.size() - 1));
      ctx.header(NEXT_CURSOR, next);
      ctx.header("Link", "<" + ctx.path() + "?limit=" + limit + "&after=" + URLEncoder.encode(next, StandardCharsets.UTF_8)
          + ">; rel=\"next\"");
    }
    return page;
  }

  private static <T> int start(List<T> ordered, Function<T, String> key, boolean sortedByKey, String after) {
    for (int i = 0; i < ordered.size(); i++) {
      String k = key.apply(ordered.get(i));
      if (sortedByKey && k.compareTo(after) > 0) {
        return i;
      }
      if (!sortedByKey && k.equals(after)) {
        return i + 1;
      }
    }
    if (sortedByKey) {
      return ordered.size();
    }
    throw new ApiException(400, "invalid_input", "no item '" + after + "' to continue after", Map.of("parameter", "after"));
  }
}

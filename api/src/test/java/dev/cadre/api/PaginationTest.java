package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.manager.AppView;
import dev.cadre.manager.BackupView;
import dev.cadre.manager.HostView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ?limit=&after=} on the list endpoints, and the CLI following the cursor. */
class PaginationTest {
  @TempDir Path dir;
  FakeControlPlane plane;
  ApiHarness api;

  @BeforeEach
  void start() {
    plane = new FakeControlPlane();
    api = new ApiHarness(plane, dir);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private void hosts(int n) {
    for (int i = n; i >= 1; i--) { // inserted in reverse: the answer must still be by name
      String name = String.format("h%05d", i);
      plane.hosts.put(name, new HostView(name, "lxd", "unix:///x", "dc1", "cadrebr0", "ready", 4, 8L << 30, 0, 1L << 30,
          0, 0, null, FakeControlPlane.T0, null));
    }
  }

  private List<String> names(JsonNode list, String field) {
    List<String> out = new ArrayList<>();
    list.forEach(item -> out.add(item.path(field).asText()));
    return out;
  }

  @Test
  void hostsComeInPagesByNameWithANextCursor() {
    hosts(250);
    List<String> seen = new ArrayList<>();
    String path = "/v1/hosts";
    int pages = 0;
    while (path != null) {
      ApiHarness.Response r = api.get(path);
      assertEquals(200, r.status(), r.body());
      assertTrue(r.json().isArray());
      seen.addAll(names(r.json(), "name"));
      pages++;
      String next = r.header("X-Next-Cursor");
      String link = r.header("Link");
      if (next == null) {
        assertNull(link);
        path = null;
      } else {
        assertEquals("</v1/hosts?limit=100&after=" + next + ">; rel=\"next\"", link);
        path = link.substring(1, link.indexOf('>'));
      }
    }
    assertEquals(3, pages);
    assertEquals(250, seen.size());
    assertEquals(seen.stream().sorted().distinct().toList(), seen);

    ApiHarness.Response small = api.get("/v1/hosts?limit=7&after=h00010");
    assertEquals(List.of("h00011", "h00012", "h00013", "h00014", "h00015", "h00016", "h00017"), names(small.json(), "name"));
    assertEquals("h00017", small.header("X-Next-Cursor"));
    assertEquals(0, api.get("/v1/hosts?after=zzz").json().size());
    assertEquals(250, api.get("/v1/hosts?limit=1000").json().size());
  }

  @Test
  void badLimitsAndCursorsAre400() {
    for (String bad : new String[] {"limit=0", "limit=1001", "limit=ten", "limit=-1", "after=a%2Fb", "after=",
        "after=" + "a".repeat(65)}) {
      for (String list : new String[] {"/v1/hosts", "/v1/apps"}) {
        ApiHarness.Response r = api.get(list + "?" + bad);
        ApiServerTest.assertError(r, 400, "invalid_input");
        String parameter = bad.substring(0, bad.indexOf('='));
        assertEquals(parameter, r.json().path("error").path("details").path("parameter").asText(), r.body());
      }
    }
  }

  @Test
  void appsAndBackupsPageToo() {
    for (int i = 0; i < 5; i++) {
      plane.apps.put("app" + i, new AppView("app" + i, "dc1", "ready", List.of(), FakeControlPlane.T0));
    }
    ApiHarness.Response apps = api.get("/v1/apps?limit=2&after=app1");
    assertEquals(List.of("app2", "app3"), names(apps.json(), "name"));
    assertEquals("app3", apps.header("X-Next-Cursor"));

    List<BackupView> made = new ArrayList<>();
    for (String id : new String[] {"bk-ffffffffffffffffffff", "bk-00000000000000000000", "bk-77777777777777777777"}) {
      made.add(new BackupView(id, "shop", "db", "postgresql", "single", FakeControlPlane.T0, 1, "00"));
    }
    plane.backups.put("shop/db", made);
    String path = "/v1/apps/shop/services/db/backups";
    ApiHarness.Response first = api.get(path + "?limit=2");
    assertEquals(List.of("bk-ffffffffffffffffffff", "bk-00000000000000000000"), names(first.json(), "id"), "oldest first");
    ApiHarness.Response second = api.get(path + "?limit=2&after=" + first.header("X-Next-Cursor"));
    assertEquals(List.of("bk-77777777777777777777"), names(second.json(), "id"));
    assertNull(second.header("X-Next-Cursor"));
    ApiServerTest.assertError(api.get(path + "?after=bk-11111111111111111111"), 400, "invalid_input");
  }

  @Test
  void theCliShowsEveryPage() {
    hosts(2345);
    CliAgainstServerTest.Run run = CliAgainstServerTest.raw("hosts", "--json", "--url", api.base, "--token", api.token);
    assertEquals(0, run.exit(), run.err());
    JsonNode all;
    try {
      all = ApiHarness.JSON.readTree(run.out());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertEquals(2345, all.size());
    assertEquals("h02345", all.get(2344).path("name").asText());
  }
}

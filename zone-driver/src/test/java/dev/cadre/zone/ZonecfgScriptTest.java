package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every script cadre writes passes the zonecfg syntax checker; the checker itself catches broken ones. */
class ZonecfgScriptTest {
  static final Map<String, String> HOSTILE_METADATA = hostile();

  private static Map<String, String> hostile() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("quote", "say \"hi\"");
    m.put("newline", "line one\nline two");
    m.put("semicolon", "a; commit; add attr");
    m.put("equals", "k=v");
    m.put("spaces", "  padded  ");
    m.put("brackets", "[a,b] (c)");
    m.put("hash", "#not-a-comment");
    m.put("marker", "b64:looks-encoded");
    m.put("empty", "");
    m.put("unicode", "é ü 漢字");
    m.put("json", "{\"role\":\"primary\",\"peers\":[\"10.0.0.1\"]}");
    m.put("control", "tab\there\u0007bell");
    m.put("backslash", "C:\\path\\");
    return m;
  }

  private static ZoneDefinition zone(String vnic, String address, String router, int cpus, long mem, Map<String, String> md) {
    return new ZoneDefinition("web1", "/zones/web1", "sparse", vnic, address, router, cpus, mem, md);
  }

  @Test
  void aFullScriptIsValidAndSaysWhatItShould() {
    String script = ZonecfgScript.create(zone("cadrexcxaxthwap0", "10.77.0.10/24", "10.77.0.1", 2, 512,
        Map.of("cadre.member", "m1")));
    assertEquals(List.of(), ZonecfgSyntax.problems(script));
    assertEquals("""
        create -b
        set zonepath=/zones/web1
        set brand=sparse
        set autoboot=false
        set ip-type=exclusive
        add net
        set physical=cadrexcxaxthwap0
        set allowed-address=10.77.0.10/24
        set defrouter=10.77.0.1
        end
        add capped-cpu
        set ncpus=2
        end
        add capped-memory
        set physical=512M
        end
        add attr
        set name=cadre.cadre.member
        set type=string
        set value="m1"
        end
        commit
        """, script);
  }

  @Test
  void scriptsWithoutNetworkAddressOrLimitsAreValid() {
    assertEquals(List.of(), ZonecfgSyntax.problems(ZonecfgScript.create(zone(null, null, null, 0, 0, Map.of()))));
    assertEquals(List.of(), ZonecfgSyntax.problems(ZonecfgScript.create(zone("cadrexcxaxthwap0", null, null, 0, 0, Map.of()))));
  }

  @Test
  void hostileMetadataIsQuotedOrEncodedAndReadsBackExactly() {
    String script = ZonecfgScript.create(zone("cadrexcxaxthwap0", "10.77.0.10/24", "10.77.0.1", 1, 128, HOSTILE_METADATA));
    assertEquals(List.of(), ZonecfgSyntax.problems(script), script);
    Map<String, String> stored = new LinkedHashMap<>();
    String name = null;
    for (ZonecfgSyntax.Command c : ZonecfgSyntax.parse(script)) {
      if (c.verb().equals("set") && c.args().get(0).equals("name")) {
        name = c.args().get(2);
      } else if (c.verb().equals("set") && c.args().get(0).equals("value")) {
        stored.put(name, c.args().get(2));
      }
    }
    assertEquals(HOSTILE_METADATA, ZoneAttrs.metadata(stored));
    assertEquals("a; commit; add attr", stored.get("cadre.semicolon"), "quoting is enough for ';'");
    assertTrue(stored.get("cadre.quote").startsWith(ZoneAttrs.ENCODED), "a double quote cannot be written in zonecfg");
    assertTrue(stored.get("cadre.marker").startsWith(ZoneAttrs.ENCODED), "the marker itself is escaped by encoding");
  }

  @Test
  void aValueTooLongForZonecfgsLexerIsRefusedBeforeAnythingRuns() {
    assertThrows(InvalidInputException.class, () -> ZonecfgScript.create(zone(null, null, null, 0, 0,
        Map.of("big", "x".repeat(ZoneAttrs.MAX_STORED_BYTES + 1)))));
    assertThrows(InvalidInputException.class, () -> ZonecfgScript.create(zone(null, null, null, 0, 0,
        Map.of("big", "\"".repeat(800)))), "800 quotes grow past the limit once encoded");
    String fits = ZonecfgScript.create(zone(null, null, null, 0, 0, Map.of("big", "x".repeat(ZoneAttrs.MAX_STORED_BYTES))));
    assertEquals(List.of(), ZonecfgSyntax.problems(fits));
  }

  @Test
  void definitionsRefuseAnythingThatIsNotAPlainToken() {
    assertThrows(InvalidInputException.class, () -> new ZoneDefinition("web1", "/zones/web 1", "sparse", null, null, null, 0, 0, null));
    assertThrows(InvalidInputException.class, () -> new ZoneDefinition("web1", "/zones/web1", "sparse;x", null, null, null, 0, 0, null));
    assertThrows(InvalidInputException.class, () -> new ZoneDefinition("web1", "/zones/web1", "sparse", "bad-link", null, null, 0, 0, null));
    assertThrows(InvalidInputException.class,
        () -> new ZoneDefinition("web1", "/zones/web1", "sparse", "vnic0", "10.0.0.1/24\nadd", null, 0, 0, null));
  }

  @Test
  void theCheckerCatchesBrokenScripts() {
    String ok = ZonecfgScript.create(zone("vnic0", "10.0.0.5/24", "10.0.0.1", 1, 64, Map.of("k", "v")));
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put("unterminated quote", ok.replace("set value=\"v\"", "set value=\"v"));
    broken.put("embedded quote", ok.replace("set value=\"v\"", "set value=\"a\"b\""));
    broken.put("newline inside quotes", ok.replace("set value=\"v\"", "set value=\"a\nb\""));
    broken.put("unquoted semicolon", ok.replace("set value=\"v\"", "set value=a;b"));
    broken.put("missing end", ok.replaceFirst("end\n", ""));
    broken.put("property in the wrong scope", ok.replace("set ncpus=1", "set physical=1"));
    broken.put("global property inside a resource", ok.replace("set defrouter=10.0.0.1", "set zonepath=/x"));
    broken.put("bad address", ok.replace("10.0.0.5/24", "10.0.0.500/24"));
    broken.put("bad link name", ok.replace("set physical=vnic0", "set physical=vnic"));
    broken.put("no commit", ok.replace("commit\n", ""));
    broken.put("not starting with create", ok.replace("create -b\n", ""));
    broken.put("attr without value", ok.replace("set value=\"v\"\n", ""));
    broken.put("unknown resource", ok.replace("add capped-cpu", "add dedicated-cpu"));
    broken.put("unknown subcommand", ok.replace("commit", "commmit"));
    broken.put("shared ip with allowed-address", ok.replace("ip-type=exclusive", "ip-type=shared"));
    broken.put("defrouter without allowed-address", ok.replace("set allowed-address=10.0.0.5/24\n", ""));
    broken.put("token too long", ok.replace("set value=\"v\"", "set value=\"" + "v".repeat(1100) + "\""));
    broken.put("rctl list syntax", ok.replace("set ncpus=1", "set ncpus=(1)"));
    broken.put("capped-cpu twice", ok.replace("add capped-memory\nset physical=64M", "add capped-cpu\nset ncpus=2"));
    broken.forEach((what, script) -> assertFalse(ZonecfgSyntax.problems(script).isEmpty(), what + ":\n" + script));
  }
}

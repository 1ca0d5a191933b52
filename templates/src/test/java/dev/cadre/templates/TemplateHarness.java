package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Provisions one member of a built-in template the way cadre does: image, launch, agent, hooks. */
final class TemplateHarness {
  final TestHost host;
  final Template template;
  final AgentClient agent;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private int step;

  TemplateHarness(TestHost host, String templateName) {
    this.host = host;
    this.template = TemplateCatalog.builtIn().require(templateName);
    this.agent = new AgentClient(host.driver);
  }

  /** Builds (or finds in the cache) the template's image and makes sure host 1 has it. */
  String image() {
    BuiltImage image = new ImageBuilder(ImageBuilder.defaultCacheDir()).build(template);
    host.driver.ensureImage(image.source());
    assertTrue(host.driver.hasImage(image.alias()));
    return image.alias();
  }

  Map<String, String> env(String member, String ip, Map<String, String> secrets) {
    HookEnv.Peer me = new HookEnv.Peer(member, ip, template.roles("single").get(0));
    return HookEnv.of("it", template.name(), me, 24, "10.77.0.1", List.of(me), Map.of("greeting", "hello"), secrets);
  }

  /** The environment of {@code me} in a service of several members. */
  Map<String, String> env(HookEnv.Peer me, List<HookEnv.Peer> members, Map<String, String> secrets) {
    return HookEnv.of("it", template.name(), me, 24, "10.77.0.1", members, Map.of(), secrets);
  }

  HookResult hook(String member, String hook, Map<String, String> env) {
    ObjectNode payload = new ObjectMapper().createObjectNode();
    payload.put("hook", hook);
    payload.putObject("member").put("name", member).put("ip", env.get("CADRE_MEMBER_IP"));
    return agent.run(member, hook, "it-" + run + "-" + (++step) + "-" + hook,
        payload.toString().getBytes(StandardCharsets.UTF_8), env, Duration.ofSeconds(60));
  }

  HookResult ok(String member, String hook, Map<String, String> env) {
    HookResult r = hook(member, hook, env);
    assertEquals(0, r.exit(), hook + " failed: " + r.meaning() + "\n" + r.output() + r.stderr());
    return r;
  }
}

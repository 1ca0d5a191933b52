package dev.cadre.manager.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.templates.HookEnv;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What a hook learns about its member: the environment (the README's table, built by
 * {@link HookEnv}) and the same facts as JSON on stdin.
 */
public record HookPayload(Map<String, String> env, byte[] json) {

  public static HookPayload of(String hook, ServiceRecord service, MemberRecord me, List<MemberRecord> members,
      Subnet subnet) {
    return of(hook, service, me, members, subnet, List.of());
  }

  /** With what the service's dependencies look like (see {@link Dependencies}). */
  public static HookPayload of(String hook, ServiceRecord service, MemberRecord me, List<MemberRecord> members,
      Subnet subnet, List<HookEnv.Dependency> dependencies) {
    HookEnv.Peer self = new HookEnv.Peer(me.name(), me.ip(), me.role());
    List<HookEnv.Peer> peers = members.stream()
        .filter(m -> m.ip() != null)
        .map(m -> new HookEnv.Peer(m.name(), m.ip(), m.role()))
        .toList();
    Map<String, String> env = HookEnv.of(service.app(), service.name(), self, subnet.prefix(), subnet.gatewayAddress(),
        peers, service.config(), service.secrets(), dependencies);
    if (service.address() != null) {
      Map<String, String> withAddress = new java.util.TreeMap<>(env);
      withAddress.put("CADRE_SERVICE_ADDRESS", service.address());
      env = Map.copyOf(withAddress);
    }

    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("hook", hook);
    root.put("app", service.app());
    root.put("service", service.name());
    root.put("template", service.template());
    root.put("topology", service.topology());
    root.set("member", peer(json, me));
    ArrayNode all = root.putArray("members");
    members.stream().filter(m -> m.ip() != null).forEach(m -> all.add(peer(json, m)));
    ObjectNode network = root.putObject("network");
    network.put("prefix", subnet.prefix());
    network.put("gateway", subnet.gatewayAddress());
    network.put("subnet", subnet.cidr());
    ObjectNode config = root.putObject("config");
    service.config().forEach(config::put);
    ObjectNode secrets = root.putObject("secrets");
    service.secrets().forEach(secrets::put);
    if (service.address() != null) {
      root.put("address", service.address());
    }
    ArrayNode deps = root.putArray("dependencies");
    for (HookEnv.Dependency d : dependencies) {
      ObjectNode n = deps.addObject();
      n.put("service", d.service());
      n.put("address", d.address());
      n.put("port", d.port());
      d.members().forEach(n.putArray("members")::add);
      ObjectNode ds = n.putObject("secrets");
      d.secrets().forEach(ds::put);
    }
    return new HookPayload(env, root.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode peer(ObjectMapper json, MemberRecord m) {
    ObjectNode n = json.createObjectNode();
    n.put("name", m.name());
    n.put("ip", m.ip());
    n.put("role", m.role());
    n.put("host", m.host());
    return n;
  }
}

package dev.cadre.templates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A service template as its {@code template.json} describes it.
 *
 * @param plan topologies, behaviors, roles per topology, ports, data directories, users
 * @param resources what one member needs: {@code cpus}, {@code memory_mib}, {@code disk_mib}, and at most
 *     {@code processes} (optional)
 * @param secrets names of the secrets cadre generates per service (passed as {@code CADRE_SECRET_<NAME>})
 * @param hooks the hooks the template implements
 * @param recipeHash sha256 (hex) over every file of the template and the shared recipes: the image's identity
 */
public record Template(
    String name,
    String description,
    JsonNode plan,
    JsonNode resources,
    List<String> secrets,
    List<String> hooks,
    String recipeHash) {

  public Template {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(recipeHash, "recipeHash");
    description = description == null ? "" : description;
    plan = plan.deepCopy();
    resources = resources.deepCopy();
    secrets = List.copyOf(secrets);
    hooks = List.copyOf(hooks);
  }

  /** A copy: the template stays as the catalog read it. */
  @Override
  public JsonNode plan() {
    return plan.deepCopy();
  }

  /** A copy: the template stays as the catalog read it. */
  @Override
  public JsonNode resources() {
    return resources.deepCopy();
  }

  /** The LXD image alias of this template's image: {@code cadre-<name>-<first 12 of the recipe hash>}. */
  public String imageAlias() {
    return "cadre-" + name + "-" + recipeHash.substring(0, 12);
  }

  public boolean implementsHook(String hook) {
    return hooks.contains(hook);
  }

  /** True when the plan lists {@code behavior} among its behaviors (e.g. {@code convertible}). */
  public boolean behaves(String behavior) {
    return texts(plan.path("behaviors")).contains(behavior);
  }

  public List<String> topologies() {
    return texts(plan.path("topologies"));
  }

  /**
   * Where the service keeps its data inside a member (absolute paths, checked when the template is read):
   * what a move compares between source and copy, and what backups hold.
   */
  public List<String> dataDirs() {
    return texts(plan.path("data_dirs"));
  }

  /** The roles a topology's members play, in order (the first is the primary's). */
  public List<String> roles(String topology) {
    return texts(plan.path("roles").path(topology));
  }

  /** Members of a service in {@code topology} when nobody says: one per role (redundant: a primary and a replica). */
  public int defaultCount(String topology) {
    return Math.max(1, roles(topology).size());
  }

  public int cpus() {
    return resources.path("cpus").asInt();
  }

  /** The most processes one member may run at once (0: no limit), from {@code resources.processes}. */
  public int processes() {
    return resources.path("processes").asInt(0);
  }

  public long memoryMiB() {
    return resources.path("memory_mib").asLong();
  }

  public long diskMiB() {
    return resources.path("disk_mib").asLong();
  }

  private static List<String> texts(JsonNode array) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}

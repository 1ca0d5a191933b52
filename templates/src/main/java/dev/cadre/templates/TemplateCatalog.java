package dev.cadre.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The templates cadre knows. A catalog root holds one folder per template ({@code template.json},
 * {@code recipe}, {@code hooks/}, any other files the recipe uses) and {@code recipes/}, the shared
 * recipe scripts. The built-in catalog is the classpath folder {@code cadre-templates/}.
 */
public final class TemplateCatalog {
  static final String ROOT = "cadre-templates";
  static final String SHARED = "recipes";
  /** Hooks every template must implement: cadre runs them when it provisions a member. */
  static final List<String> REQUIRED_HOOKS = List.of("plan", "configure", "start", "stop", "health");
  /** Changes when what the builder hands a recipe changes, so that old cached images are not reused. */
  private static final String BUILD_FORMAT = "cadre-image-1";
  private static final Pattern SECRET = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile TemplateCatalog builtIn;

  private final Map<String, Template> templates;
  /** Per template: every file it builds from (its own folder and the shared recipes), by path under the root. */
  private final Map<String, Map<String, byte[]>> files;

  private TemplateCatalog(Map<String, Template> templates, Map<String, Map<String, byte[]>> files) {
    this.templates = templates;
    this.files = files;
  }

  /** The templates shipped with cadre (read once from the classpath). */
  public static TemplateCatalog builtIn() {
    TemplateCatalog c = builtIn;
    if (c == null) {
      synchronized (TemplateCatalog.class) {
        c = builtIn;
        if (c == null) {
          c = builtIn = loadClasspath();
        }
      }
    }
    return c;
  }

  /** Templates from a folder laid out like the built-in one (template folders beside {@code recipes/}). */
  public static TemplateCatalog fromDirectory(Path root) {
    try {
      return load(root);
    } catch (IOException e) {
      throw new InvalidInputException(null, "cannot read templates from " + root + ": " + e.getMessage(), e);
    }
  }

  public List<Template> all() {
    return List.copyOf(templates.values());
  }

  public Optional<Template> find(String name) {
    return Optional.ofNullable(name == null ? null : templates.get(name));
  }

  /** Like {@link #find} but refuses an unknown name with {@link InvalidInputException}. */
  public Template require(String name) {
    return find(name).orElseThrow(() -> new InvalidInputException(null,
        "unknown template '" + name + "'; known: " + String.join(", ", templates.keySet())));
  }

  /** The files a template's image is built from, by path under the catalog root, or empty if not from here. */
  Optional<Map<String, byte[]>> files(Template t) {
    Template mine = templates.get(t.name());
    if (mine == null || !mine.recipeHash().equals(t.recipeHash())) {
      return Optional.empty();
    }
    return Optional.of(files.get(t.name()));
  }

  // ---- loading --------------------------------------------------------------------------------

  private static TemplateCatalog loadClasspath() {
    URL marker = TemplateCatalog.class.getClassLoader().getResource(Agent.RESOURCE);
    if (marker == null) {
      throw new IllegalStateException("the built-in templates are missing from the classpath");
    }
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return load(fs.getPath("/" + ROOT));
      }
      return load(Path.of(uri).getParent().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in templates", e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TemplateCatalog load(Path root) throws IOException {
    Map<String, byte[]> shared = readTree(root, root.resolve(SHARED));
    Map<String, Template> templates = new TreeMap<>();
    Map<String, Map<String, byte[]>> files = new TreeMap<>();
    List<Path> folders;
    try (Stream<Path> s = Files.list(root)) {
      folders = s.filter(p -> Files.isRegularFile(p.resolve("template.json"))).sorted().toList();
    }
    for (Path folder : folders) {
      String name = fileName(folder);
      Map<String, byte[]> own = readTree(root, folder);
      Map<String, byte[]> all = new TreeMap<>(own);
      all.putAll(shared);
      templates.put(name, parse(name, own, hash(all)));
      files.put(name, Map.copyOf(all));
    }
    return new TemplateCatalog(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templates)), files);
  }

  /** Every regular file under {@code dir}, keyed by its '/'-separated path relative to {@code root}. */
  private static Map<String, byte[]> readTree(Path root, Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> paths;
    try (Stream<Path> s = Files.walk(dir)) {
      paths = s.filter(Files::isRegularFile).toList();
    }
    for (Path p : paths) {
      List<String> parts = new ArrayList<>();
      root.relativize(p).forEach(seg -> parts.add(seg.toString()));
      out.put(String.join("/", parts), Files.readAllBytes(p));
    }
    return out;
  }

  /** sha256 over the sorted paths and bytes: any change to a hook, the recipe or a shared recipe is a new image. */
  static String hash(Map<String, byte[]> files) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(BUILD_FORMAT.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
        d.update(f.getKey().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(Long.toString(f.getValue().length).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(f.getValue());
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Template parse(String name, Map<String, byte[]> own, String hash) {
    String where = "template '" + name + "': ";
    JsonNode doc;
    try {
      doc = JSON.readTree(own.get(name + "/template.json"));
    } catch (IOException e) {
      throw new InvalidInputException(null, where + "template.json is not valid JSON: " + e.getMessage());
    }
    if (!name.equals(doc.path("name").asText())) {
      throw new InvalidInputException(null, where + "the name in template.json must be the folder's name");
    }
    try {
      Agent.requireHookName(name);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(null, where + "names follow the hook-name rule (a-z, 0-9, '-')");
    }
    JsonNode plan = doc.path("plan");
    List<String> topologies = texts(plan.path("topologies"));
    if (topologies.isEmpty()) {
      throw new InvalidInputException(null, where + "plan.topologies must list at least one topology");
    }
    for (String topology : topologies) {
      if (texts(plan.path("roles").path(topology)).isEmpty()) {
        throw new InvalidInputException(null, where + "plan.roles must list the roles of topology '" + topology + "'");
      }
    }
    for (String field : List.of("behaviors", "ports", "data_dirs", "users")) {
      if (!plan.path(field).isArray()) {
        throw new InvalidInputException(null, where + "plan." + field + " must be an array");
      }
    }
    for (String dir : texts(plan.path("data_dirs"))) {
      if (!dir.matches("/[A-Za-z0-9._/-]{1,255}") || dir.contains("/../") || dir.endsWith("/..") || dir.contains("//")) {
        throw new InvalidInputException(null, where + "plan.data_dirs: '" + dir + "' is not an absolute path of letters,"
            + " digits, '.', '_', '-' and '/'");
      }
    }
    JsonNode resources = doc.path("resources");
    for (String field : List.of("cpus", "memory_mib", "disk_mib")) {
      if (!resources.path(field).canConvertToLong() || resources.path(field).asLong() <= 0) {
        throw new InvalidInputException(null, where + "resources." + field + " must be a positive number");
      }
    }
    if (!resources.path("processes").isMissingNode() && !(resources.path("processes").canConvertToInt()
        && resources.path("processes").asInt() >= 16 && resources.path("processes").asInt() <= 100_000)) {
      throw new InvalidInputException(null, where + "resources.processes must be a number from 16 to 100000");
    }
    List<String> secrets = texts(doc.path("secrets"));
    for (String s : secrets) {
      if (!SECRET.matcher(s).matches()) {
        throw new InvalidInputException(null, where + "secret name '" + s + "' must be lower-case letters, digits and '_'");
      }
    }
    List<String> hooks = texts(doc.path("hooks"));
    for (String hook : hooks) {
      Agent.requireHookName(hook);
      if (!own.containsKey(name + "/hooks/" + hook)) {
        throw new InvalidInputException(null, where + "hook '" + hook + "' is listed but hooks/" + hook + " is missing");
      }
    }
    for (String hook : REQUIRED_HOOKS) {
      if (!hooks.contains(hook)) {
        throw new InvalidInputException(null, where + "must implement the '" + hook + "' hook");
      }
    }
    if (!own.containsKey(name + "/recipe")) {
      throw new InvalidInputException(null, where + "the image recipe 'recipe' is missing");
    }
    return new Template(name, doc.path("description").asText(""), plan, resources, secrets, hooks, hash);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static String fileName(Path p) {
    String s = p.getFileName().toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}

package dev.cadre.templates;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds built-in templates' images from the command line (for scripts and benchmarks):
 * {@code BuildImage [--cache DIR] TEMPLATE...} prints one line {@code ALIAS TARBALL} per template.
 */
public final class BuildImage {
  private BuildImage() {}

  public static void main(String[] args) {
    Path cache = ImageBuilder.defaultCacheDir();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--cache") && i + 1 < args.length) {
        cache = Path.of(args[++i]);
      } else if (args[i].startsWith("-")) {
        usage();
      } else {
        names.add(args[i]);
      }
    }
    if (names.isEmpty()) {
      usage();
    }
    ImageBuilder builder = new ImageBuilder(cache);
    for (String name : names) {
      try {
        BuiltImage image = builder.build(TemplateCatalog.builtIn().require(name));
        System.out.println(image.alias() + " " + image.tarball());
      } catch (RuntimeException e) {
        System.err.println("build-image: " + e.getMessage());
        System.exit(1);
      }
    }
  }

  private static void usage() {
    System.err.println("usage: BuildImage [--cache DIR] TEMPLATE...  (templates: "
        + String.join(", ", TemplateCatalog.builtIn().all().stream().map(Template::name).toList()) + ")");
    System.exit(2);
  }
}

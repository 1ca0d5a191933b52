package dev.cadre.templates;

import dev.cadre.driver.ImageSource;
import java.nio.file.Path;
import java.util.Objects;

/** A template's image in the local cache: the LXD alias to import it under and its unified tarball. */
public record BuiltImage(String alias, Path tarball) {
  public BuiltImage {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(tarball, "tarball");
  }

  /** What a driver's {@code ensureImage} takes. */
  public ImageSource source() {
    return new ImageSource(alias, tarball);
  }
}

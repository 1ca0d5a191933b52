package dev.cadre.driver;

import java.nio.file.Path;

/** An image the host must have under {@code alias}; imported from {@code tarball} when it is missing. */
public record ImageSource(String alias, Path tarball) {
  public ImageSource {
    Validation.requireImageAlias(alias);
  }
}

package dev.cadre.zone;

import dev.cadre.driver.ImageSource;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The images a zone host can install: the configured catalog, plus tarballs that {@link #ensure}
 * imported into {@code imageDir/ALIAS.tar.gz} and that install with the tarball brand
 * ({@code zoneadm install -s PATH}). An imported tarball is found again after a restart by its file.
 */
final class ZoneImages {
  private static final String WRITE_SCRIPT = "umask 022 && cat > \"$1\"";

  private final Commands cmd;
  private final ZoneHostConfig config;
  private final Map<String, ZoneImage> known = new ConcurrentHashMap<>();

  ZoneImages(Commands cmd, ZoneHostConfig config) {
    this.cmd = cmd;
    this.config = config;
    config.images().forEach(i -> known.put(i.alias(), i));
  }

  Optional<ZoneImage> resolve(String alias) {
    Validation.requireImageAlias(alias);
    ZoneImage image = known.get(alias);
    if (image != null || config.tarballBrand() == null) {
      return Optional.ofNullable(image);
    }
    String path = tarball(alias);
    if (cmd.raw(List.of("test", "-f", path), null, config.commandTimeout()).ok()) {
      return Optional.of(register(alias, path));
    }
    return Optional.empty();
  }

  ZoneImage require(String alias) {
    return resolve(alias).orElseThrow(() -> new NotFoundException(cmd.host(), "image '" + alias + "' not found"));
  }

  /**
   * Uploads the tarball through the runner (so it passes through memory: fine for test images, not
   * for multi-gigabyte ones), under a temporary name renamed into place so an interrupted upload is
   * never taken for an image.
   */
  void ensure(ImageSource image) {
    if (resolve(image.alias()).isPresent()) {
      return;
    }
    if (image.tarball() == null) {
      throw new NotFoundException(cmd.host(), "image '" + image.alias() + "' is missing and no tarball was given to import");
    }
    if (config.tarballBrand() == null) {
      throw new InvalidInputException(cmd.host(), "this zone host installs no brand from tarballs; configure image '"
          + image.alias() + "' in the zone host's catalog");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(image.tarball());
    } catch (IOException e) {
      throw new InvalidInputException(cmd.host(), "cannot read image tarball " + image.tarball() + ": " + e.getMessage(), e);
    }
    String path = tarball(image.alias());
    String partial = path + ".partial";
    cmd.check("mkdir", "-p", config.imageDir());
    cmd.check(List.of("sh", "-c", WRITE_SCRIPT, "sh", partial), bytes, Duration.ofMinutes(30));
    cmd.check("mv", partial, path);
    register(image.alias(), path);
  }

  private ZoneImage register(String alias, String path) {
    return known.computeIfAbsent(alias, a -> ZoneImage.of(a, config.tarballBrand(), "-s", path));
  }

  private String tarball(String alias) {
    return config.imageDir() + "/" + alias + ".tar.gz";
  }
}

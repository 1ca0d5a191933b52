package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/** Images on one LXD host: present under an alias, or imported from a unified tarball (once, by its hash). */
final class LxdImages {
  private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(5);
  private final LxdClient client;
  private final String host;

  LxdImages(LxdClient client) {
    this.client = client;
    this.host = client.host();
  }

  boolean hasImage(String alias) {
    Validation.requireImageAlias(alias);
    try {
      client.get("/1.0/images/aliases/" + alias);
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  void ensureImage(ImageSource image) {
    if (hasImage(image.alias())) {
      return;
    }
    if (image.tarball() == null) {
      throw new NotFoundException(host, "image '" + image.alias() + "' is missing and no tarball was given to import");
    }
    String fingerprint = sha256(image);
    boolean present;
    try {
      client.get("/1.0/images/" + fingerprint);
      present = true;
    } catch (NotFoundException e) {
      present = false;
    }
    if (!present) {
      JsonNode op = client.postBytes("/1.0/images", Map.of(), Map.of(), LxdClient.fileBody(image.tarball()));
      JsonNode done = client.waitFor(op.path("operation").asText(), CHANGE_TIMEOUT);
      fingerprint = done.path("metadata").path("fingerprint").asText(fingerprint);
    }
    ObjectNode alias = client.object();
    alias.put("name", image.alias());
    alias.put("target", fingerprint);
    try {
      client.call("POST", "/1.0/images/aliases", alias, CHANGE_TIMEOUT);
    } catch (ConflictException raced) {
      // another caller created the alias between our check and now: the image is there either way
    }
  }

  private String sha256(ImageSource image) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(image.tarball()), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new InvalidInputException(host, "cannot read image tarball " + image.tarball() + ": " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}

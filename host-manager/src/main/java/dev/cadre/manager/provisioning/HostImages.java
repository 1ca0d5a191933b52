package dev.cadre.manager.provisioning;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.ImageSource;
import dev.cadre.templates.Template;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure a host has a template's image, once per (host, image) however many members ask at the same
 * time; a failure is not remembered, so the next member tries again.
 */
public final class HostImages {
  private final ImageSupplier images;
  private final Map<String, CompletableFuture<String>> ensured = new ConcurrentHashMap<>();

  public HostImages(ImageSupplier images) {
    this.images = images;
  }

  /** Answers the image alias to create members from. */
  public String ensure(HostDriver driver, Template template) {
    String key = driver.hostName() + "\0" + template.name() + "\0" + template.recipeHash();
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> existing = ensured.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        return existing.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      ImageSource source = images.image(template);
      if (!driver.hasImage(source.alias())) {
        driver.ensureImage(source);
      }
      mine.complete(source.alias());
      return source.alias();
    } catch (RuntimeException e) {
      ensured.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** Forget what we know of a host (it was removed, or re-registered). */
  public void forget(String host) {
    ensured.keySet().removeIf(k -> k.startsWith(host + "\0"));
  }
}

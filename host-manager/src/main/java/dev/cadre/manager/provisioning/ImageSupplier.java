package dev.cadre.manager.provisioning;

import dev.cadre.driver.ImageSource;
import dev.cadre.templates.Template;

/** Where a template's image comes from (built and cached locally by the templates module's builder). */
@FunctionalInterface
public interface ImageSupplier {
  ImageSource image(Template template);
}

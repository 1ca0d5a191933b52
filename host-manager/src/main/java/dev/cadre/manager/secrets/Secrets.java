package dev.cadre.manager.secrets;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The secrets cadre makes for a service (a template names them, e.g. redis {@code password}). */
public final class Secrets {
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final int LENGTH = 24;
  private final SecureRandom random = new SecureRandom();

  /** One fresh secret per name: 24 letters and digits (about 143 bits). */
  public Map<String, String> make(Collection<String> names) {
    Map<String, String> out = new TreeMap<>();
    names.forEach(name -> out.put(name, one()));
    return out;
  }

  private String one() {
    StringBuilder b = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      b.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
    }
    return b.toString();
  }
}

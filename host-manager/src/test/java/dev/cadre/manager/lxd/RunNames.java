package dev.cadre.manager.lxd;

import java.util.UUID;

/** Random suffixes for names of test apps: always the length asked for, valid after a letter. */
final class RunNames {
  private RunNames() {}

  static String suffix(int length) {
    return UUID.randomUUID().toString().replace("-", "").substring(0, length);
  }
}

package dev.cadre.api;

import dev.cadre.manager.ControlPlane;
import java.nio.file.Path;

/** Opens the real control plane on a data dir; the one place the server names host-manager's entry point. */
final class ControlPlanes {
  private ControlPlanes() {}

  static ControlPlane open(Path dataDir, String storeUrl) {
    throw new IllegalStateException("host-manager's CadreControlPlane is not available yet");
  }
}

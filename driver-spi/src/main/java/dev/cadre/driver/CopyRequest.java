package dev.cadre.driver;

/**
 * Copy an instance to another host of the same kind. The copy joins {@code nic} on the target (the
 * source's address is usually outside the target's network). With {@code refresh} the target copy
 * must exist already and only what changed since the last copy is transferred: the base of a
 * migration with a short final pause.
 */
public record CopyRequest(String source, String target, NicSpec nic, boolean refresh) {
  public CopyRequest {
    Validation.requireInstanceName(source);
    Validation.requireInstanceName(target);
  }
}

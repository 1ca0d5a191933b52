package dev.cadre.driver;

/**
 * Copy an instance to another host of the same kind. The copy joins {@code nic} on the target (the
 * source's address is usually outside the target's network). With {@code refresh} the target copy
 * must exist already and only what changed since the last copy is transferred: the base of a
 * migration with a short final pause. With {@code whileRunning} the source may be running: its file
 * system is copied as it is at that moment, without its memory (a pre-copy, made consistent by a
 * final refresh after the source stops); without it a running source is refused.
 */
public record CopyRequest(String source, String target, NicSpec nic, boolean refresh, boolean whileRunning) {
  public CopyRequest {
    Validation.requireInstanceName(source);
    Validation.requireInstanceName(target);
  }

  public CopyRequest(String source, String target, NicSpec nic, boolean refresh) {
    this(source, target, nic, refresh, false);
  }
}

package dev.cadre.manager.operations;

import java.util.Arrays;
import java.util.Locale;

/** What an operation does; the store keeps the lower-case name. */
public enum OperationKind {
  REGISTER_HOST,
  REMOVE_HOST,
  DRAIN_HOST,
  RESUME_HOST,
  TRUST_HOST,
  CREATE_APP,
  DELETE_APP,
  CONVERT_SERVICE,
  PROMOTE_MEMBER,
  FAILOVER,
  REJOIN_MEMBER,
  MOVE_APP,
  BACKUP_SERVICE,
  RESTORE_SERVICE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OperationKind parse(String wire) {
    return Arrays.stream(values()).filter(k -> k.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown operation kind '" + wire + "'"));
  }
}

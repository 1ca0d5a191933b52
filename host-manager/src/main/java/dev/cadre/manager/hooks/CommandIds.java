package dev.cadre.manager.hooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Command ids are a pure function of (operation, member, hook, attempt): when cadre crashes after
 * sending a command and sends it again, the agent recognises the id and answers from its journal
 * instead of running the hook twice.
 */
public final class CommandIds {
  private CommandIds() {}

  public static String of(String operationId, String member, String hook, int attempt) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((operationId + "\0" + member + "\0" + hook).getBytes(StandardCharsets.UTF_8));
      String h = HexFormat.of().formatHex(d.digest()).substring(0, 24);
      // the hook name stays readable in the container's journal; the whole id stays within 64 chars
      return hook + "-" + h + "-" + attempt;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

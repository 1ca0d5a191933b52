package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where ssh logs in: {@code user@host[:port]}, with {@code [v6-address]} for IPv6 literals. */
public record SshTarget(String user, String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("([A-Za-z0-9._][A-Za-z0-9._-]*)@(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*)(?::([0-9]{1,5}))?");

  public SshTarget {
    // the destination travels as one ssh argument; a leading '-' would make it an option
    if (user == null || !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*") || host == null
        || !host.matches("\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*") || port < 1 || port > 65535) {
      throw new InvalidInputException(null, "invalid ssh target " + user + "@" + host + ":" + port);
    }
  }

  public static SshTarget parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new InvalidInputException(null, "ssh target must look like user@host[:port], got '" + text + "'");
    }
    return new SshTarget(m.group(1), m.group(2), m.group(3) == null ? 22 : Integer.parseInt(m.group(3)));
  }

  /** The ssh destination argument; ssh wants IPv6 literals without brackets. */
  String destination() {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return user + "@" + h;
  }
}

package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import java.nio.file.Path;

/**
 * How the system {@code ssh} client logs in: an identity file (null: ssh's own configuration and
 * agent), a known_hosts file (null: ssh's own), whether a host key never seen before is accepted and
 * remembered ({@code StrictHostKeyChecking=accept-new}: trust on first contact, pinned afterwards)
 * or refused, and the client program itself.
 */
public record SshSettings(Path identity, Path knownHosts, boolean acceptNewHostKeys, String program) {
  public static final SshSettings DEFAULT = new SshSettings(null, null, false, "ssh");

  public SshSettings {
    if (program == null || program.isBlank() || program.startsWith("-")) {
      throw new InvalidInputException(null, "invalid ssh program '" + program + "'");
    }
    // it travels inside one "-o UserKnownHostsFile=..." option, which ssh splits at blanks and reads quotes in
    if (knownHosts != null && !knownHosts.toString().matches("[^\\s\"'%~]+")) {
      throw new InvalidInputException(null, "the known_hosts path must not contain blanks, quotes, '%' or '~': " + knownHosts);
    }
  }

  public SshSettings withIdentity(Path file) {
    return new SshSettings(file, knownHosts, acceptNewHostKeys, program);
  }

  public SshSettings withKnownHosts(Path file, boolean acceptNew) {
    return new SshSettings(identity, file, acceptNew, program);
  }

  public SshSettings withProgram(String client) {
    return new SshSettings(identity, knownHosts, acceptNewHostKeys, client);
  }
}

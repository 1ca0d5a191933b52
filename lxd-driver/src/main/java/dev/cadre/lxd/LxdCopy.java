package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.NicSpec;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.TimedOutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Push-mode migration of a stopped instance to another LXD host: the target creates the instance and
 * opens migration websockets, the source dials them. Only the source needs to reach the target (the
 * target may sit behind a network hop the source can cross but not the other way round).
 *
 * <p>Snapshots travel with the instance, each with the devices it was taken with. LXD before 5.21.4
 * (and 6.0 to 6.3) validates those devices on the target, so a snapshot whose NIC names a network or
 * address the target lacks fails the whole copy after the data has moved; such a copy is refused here
 * before anything changes.
 */
final class LxdCopy {
  private static final Duration TARGET_VERDICT = Duration.ofSeconds(5);
  /** A copy that reports no progress for this long has stalled (the property lets a test wait less). */
  static Duration stall() {
    return Duration.ofSeconds(Long.getLong("cadre.copy.stall-seconds", 60));
  }
  /** The rate in LXD's progress text, e.g. " (60B/s)". */
  private static final java.util.regex.Pattern RATE = java.util.regex.Pattern.compile("\\s*\\([^()]*/s\\)");
  /** How often a running copy is asked what it sent: often enough for an operator watching its bytes grow. */
  private static final Duration PROGRESS_POLL = Duration.ofSeconds(1);
  private static final Duration COPY_LIMIT = Duration.ofHours(2);
  private final LxdHostDriver from;
  private final LxdHostDriver to;

  LxdCopy(LxdHostDriver from, LxdHostDriver to) {
    this.from = from;
    this.to = to;
  }

  /** Copies as {@code request} says, telling {@code progress} what LXD reports it sent as it goes. */
  void copy(CopyRequest request, CopyProgress progress) {
    if (!request.whileRunning() && from.get(request.source()).state() != InstanceState.STOPPED) {
      throw new ConflictException(from.hostName(), "stop '" + request.source() + "' before copying it");
    }
    boolean exists = to.find(request.target()).isPresent();
    if (request.refresh() && !exists) {
      throw new NotFoundException(to.hostName(), "refresh needs an existing copy '" + request.target() + "'");
    }
    if (!request.refresh() && exists) {
      throw new ConflictException(to.hostName(), "instance '" + request.target() + "' already exists");
    }
    JsonNode meta = from.client().get("/1.0/instances/" + request.source());
    refuseSnapshotsTheTargetCannotTake(request, meta);

    JsonNode targetOp = to.client().start("POST", "/1.0/instances", targetCreate(request, meta));
    String targetOpPath = "/1.0/operations/" + targetOp.path("id").asText();
    ObjectNode migrate = from.client().object();
    migrate.put("migration", true);
    migrate.put("live", false);
    migrate.put("instance_only", false);
    if (request.whileRunning()) {
      // a pre-copy need not be consistent (the refresh after the stop makes it so): without this LXD freezes
      // a running container on a dir pool for a last rsync pass, and a freeze can hang (seen: FREEZING for
      // minutes, every exec in it stuck)
      migrate.put("allow_inconsistent", true);
    }
    ObjectNode dest = migrate.putObject("target");
    dest.put("certificate", to.client().get("/1.0").path("environment").path("certificate").asText());
    dest.put("operation", to.reachableBase() + targetOpPath);
    dest.set("secrets", targetOp.path("metadata")); // LXD names them "secrets" here, not "websockets"
    try {
      JsonNode sourceOp = from.client().start("POST", "/1.0/instances/" + request.source(), migrate);
      awaitProgressing(from, "/1.0/operations/" + sourceOp.path("id").asText(), progress);
      to.client().waitFor(targetOpPath, Duration.ofMinutes(10));
    } catch (DriverException e) {
      Verdict verdict = targetVerdict(targetOpPath, e);
      if (!request.refresh() && verdict.targetAnswers()) {
        to.removeHalfMade(request.target(), verdict.reason());
      }
      throw verdict.reason();
    }
  }

  /**
   * Waits for the source's side of the copy while it makes progress: LXD reports what it sent in the
   * operation's metadata; a copy whose metadata has not changed for {@link #stall()} (the link to the target
   * is cut, the target stopped answering) is cancelled and fails, rather than waiting out TCP's patience.
   * What it sent so far goes to {@code progress} on each look, and what it had sent when it ended.
   */
  private void awaitProgressing(LxdHostDriver side, String opPath, CopyProgress progress) {
    long deadline = System.nanoTime() + COPY_LIMIT.toNanos();
    String seen = null;
    long changed = System.nanoTime();
    while (true) {
      try {
        progress.end(side.client().waitFor(opPath, PROGRESS_POLL).path("metadata"));
        return;
      } catch (TimedOutException stillRunning) {
        JsonNode metadata = side.client().get(opPath).path("metadata");
        progress.read(metadata);
        String now = sent(metadata);
        if (!now.equals(seen)) {
          seen = now;
          changed = System.nanoTime();
        } else if (System.nanoTime() - changed > stall().toNanos() || System.nanoTime() > deadline) {
          try {
            side.client().delete(opPath);
          } catch (DriverException notCancellable) {
            // LXD cannot cancel every migration; it ends on its own when the connection gives up
          }
          throw new TimedOutException(side.hostName(), "the copy to " + to.hostName() + " made no progress for "
              + stall().toSeconds() + " s (" + (seen == null ? "nothing reported" : seen) + "); given up");
        }
      }
    }
  }

  /**
   * What the copy reports it sent, without the rate: LXD's progress reads "name: 160B (60B/s)", and a rate
   * that decays while nothing more is sent must not count as progress.
   */
  static String sent(JsonNode metadata) {
    return RATE.matcher(metadata.toString()).replaceAll("");
  }

  /**
   * Why a copy failed, and whether the target answered when asked: one that did not (a cut link) is not asked
   * again to cancel or to delete the half-made copy, each of which would wait as long; the sweep removes it.
   */
  private record Verdict(DriverException reason, boolean targetAnswers) {}

  private ObjectNode targetCreate(CopyRequest request, JsonNode meta) {
    ObjectNode create = to.client().object();
    create.put("name", request.target());
    create.put("type", "container");
    create.put("architecture", meta.path("architecture").asText());
    create.set("profiles", meta.path("profiles"));
    ObjectNode config = create.putObject("config");
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("config").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("volatile.") || e.getKey().equals("volatile.base_image")) {
        config.set(e.getKey(), e.getValue());
      }
    }
    ObjectNode devices = ((ObjectNode) meta.path("devices")).deepCopy();
    if (request.nic() != null) {
      devices.set("eth0", to.nicDevice(request.nic()));
    }
    // the root disk goes to the target's own pool (its size stays): a pool of the source's name may not exist
    // there, or be another kind (the target's may enforce the size where the source's could not)
    String pool = to.rootPool();
    if (devices.path("root").path("type").asText().equals("disk") && pool != null) {
      ((ObjectNode) devices.path("root")).put("pool", pool);
    }
    create.set("devices", devices);
    ObjectNode src = create.putObject("source");
    src.put("type", "migration");
    src.put("mode", "push");
    src.put("live", false);
    src.put("instance_only", false);
    src.put("refresh", request.refresh());
    return create;
  }

  private void refuseSnapshotsTheTargetCannotTake(CopyRequest request, JsonNode meta) {
    if (!nicChanges(meta.path("devices").path("eth0"), request.nic())) {
      return;
    }
    String version = to.client().get("/1.0").path("environment").path("server_version").asText("");
    if (takesSnapshotsOntoAnotherNic(version) || from.listSnapshots(request.source()).isEmpty()) {
      return;
    }
    throw new ConflictException(to.hostName(), "'" + request.source() + "' has snapshots, and LXD " + version
        + " checks each snapshot's NIC against the target's own networks (its address is not on "
        + request.nic().network() + "), so the copy would fail after moving the data; delete the snapshots first,"
        + " or upgrade the target to LXD 5.21.4 or 6.4 or later");
  }

  private static boolean nicChanges(JsonNode eth0, NicSpec nic) {
    return nic != null && (!nic.network().equals(eth0.path("network").asText(null))
        || !Objects.equals(nic.ipv4(), eth0.path("ipv4.address").asText(null)));
  }

  /** LXD stopped validating snapshot devices on the target in 5.21.4 and 6.4. */
  static boolean takesSnapshotsOntoAnotherNic(String serverVersion) {
    String[] p = serverVersion.split("\\.");
    try {
      int major = Integer.parseInt(p[0]);
      int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
      int patch = p.length > 2 ? Integer.parseInt(p[2]) : 0;
      if (major != 5) {
        return major > 6 || (major == 6 && minor >= 4);
      }
      return minor > 21 || (minor == 21 && patch >= 4);
    } catch (NumberFormatException unknown) {
      return false; // a version we cannot read: assume the older behaviour, which refuses early
    }
  }

  /**
   * When the source gives up, the target usually knows why (the source sees only its websocket close):
   * its operation's failure is the reason reported, with the source's as suppressed. A target still
   * waiting is cancelled; one that does not answer at all is left alone (see {@link Verdict}).
   */
  private Verdict targetVerdict(String targetOpPath, DriverException sourceSaid) {
    DriverException reason = sourceSaid;
    try {
      to.client().waitFor(targetOpPath, TARGET_VERDICT);
    } catch (TimedOutException stillWaiting) {
      if (stillWaiting.getCause() instanceof java.io.IOException) {
        // a transport timeout, not an operation still running: the target does not answer at all
        sourceSaid.addSuppressed(stillWaiting);
        return new Verdict(sourceSaid, false);
      }
      try {
        to.client().delete(targetOpPath);
      } catch (DriverException cancel) {
        sourceSaid.addSuppressed(cancel);
      }
    } catch (dev.cadre.driver.UnreachableException gone) {
      sourceSaid.addSuppressed(gone);
      return new Verdict(sourceSaid, false);
    } catch (DriverException targetSaid) {
      reason = targetSaid;
      reason.addSuppressed(sourceSaid);
    }
    return new Verdict(reason, true);
  }
}

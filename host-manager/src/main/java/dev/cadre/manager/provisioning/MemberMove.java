package dev.cadre.manager.provisioning;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.NicSpec;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.operations.RunningStep;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.MoveRecord;
import dev.cadre.templates.HookResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steps of moving one member's container to a host of another datacenter with a short pause: copies
 * while it serves ({@link #preCopy}), the pause ({@link #quiesce}, {@link #finalCopy}), then it serves at the
 * target ({@link #serve}); until the whole move is done the source container is kept, stopped, and
 * {@link #back} starts it again. The plane's side (who moves when, the switch of the records) is the
 * caller's.
 */
public final class MemberMove {
  /** Pre-copy rounds after the first copy: each sends what changed during the one before. */
  static final int MAX_REFRESHES = 3;
  /** A pre-copy that fails for want of the target (a cut link, a timeout) is tried this many times. */
  static final int COPY_ATTEMPTS = 2;
  /** A refresh shorter than this leaves a delta small enough for the pause. */
  static final Duration SMALL_DELTA = Duration.ofSeconds(2);
  private static final Duration CHECKSUM_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration SIZE_TIMEOUT = Duration.ofSeconds(10);
  /** A data hook copies the whole data set: it may take longer than an ordinary hook. */
  private static final Duration DATA_TIMEOUT = Duration.ofMinutes(15);
  private static final long MIB = 1024 * 1024;
  /**
   * Sums every regular file under the data directories ("$@"), in a stable order, into one digest; prints
   * the digest and the number of files. The paths come from the template (checked when it was read) and
   * are arguments, never part of the script.
   */
  private static final String CHECKSUM = "set -e; for d in \"$@\"; do if [ -d \"$d\" ]; then find \"$d\" -xdev -type f -print0;"
      + " fi; done | LC_ALL=C sort -z > /tmp/.cadre-sums; n=$(tr -cd '\\000' < /tmp/.cadre-sums | wc -c);"
      + " s=$(xargs -0r sha256sum < /tmp/.cadre-sums | sha256sum | cut -d' ' -f1); rm -f /tmp/.cadre-sums; echo \"$s $n\"";

  private final DriverRegistry drivers;
  private final HostImages images;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Containers containers;
  private final MemberSteps steps;
  private final Clock clock;

  MemberMove(DriverRegistry drivers, HostImages images, HookRunner hooks, MemberEvents members, Containers containers,
      MemberSteps steps, Clock clock) {
    this.drivers = drivers;
    this.images = images;
    this.hooks = hooks;
    this.members = members;
    this.containers = containers;
    this.steps = steps;
    this.clock = clock;
  }

  /** What a member's copy needs to know about where it goes. */
  public record Target(String host, String network, String ip) {}

  /**
   * Copies the running member to the target, then refreshes while a round takes long (what changed
   * meanwhile is still large), at most {@link #MAX_REFRESHES} times. A driver that copies only stopped
   * instances answers Conflict: then nothing is copied now and the pause copies everything. Each copy is a
   * running step while it goes, its detail the bytes sent so far where the driver tells them.
   */
  public void preCopy(OperationContext ctx, MemberRecord m, Target to) {
    HostDriver src = drivers.driver(m.host());
    HostDriver dst = drivers.driver(to.host());
    NicSpec nic = new NicSpec(to.network(), to.ip());
    String route = m.host() + " -> " + to.host();
    Instant began = clock.instant();
    for (int attempt = 1; ; attempt++) {
      RunningStep step = ctx.begin(m.name() + ": pre-copy", route + " while it serves");
      try (step) {
        try {
          boolean exists = dst.find(m.name()).isPresent(); // a copy left by an earlier try is refreshed
          long sent = copy(src, dst, new CopyRequest(m.name(), m.name(), nic, exists, true), step,
              route + " while it serves");
          step.done(route + " while it serves, " + Duration.between(began, clock.instant()).toMillis() + " ms"
              + sent(sent));
          break;
        } catch (ConflictException cannot) {
          if (dst.find(m.name()).isPresent()) {
            throw cannot;
          }
          step.done("none: " + m.host() + " copies only stopped containers: " + cannot.getMessage()
              + "; the pause copies all of it");
          return;
        } catch (dev.cadre.driver.UnavailableException | dev.cadre.driver.HostFailureException e) {
          if (attempt >= COPY_ATTEMPTS || e instanceof dev.cadre.driver.HostBusyException) {
            throw e;
          }
          step.end(StepStatus.FAILED, "attempt " + attempt + ": " + MemberSteps.message(e) + "; trying again");
          ctx.checkCancelled();
        }
      }
    }
    Duration round = Duration.between(began, clock.instant());
    for (int i = 1; i <= MAX_REFRESHES && round.compareTo(SMALL_DELTA) > 0; i++) {
      ctx.checkCancelled();
      Instant t = clock.instant();
      RunningStep step = ctx.begin(m.name() + ": refresh " + i, route + ", what changed meanwhile");
      try (step) {
        long sent;
        try {
          sent = copy(src, dst, new CopyRequest(m.name(), m.name(), nic, true, true), step,
              route + ", what changed meanwhile");
        } catch (dev.cadre.driver.HostFailureException e) {
          // a refresh of a member that serves races its writes: a file it listed can be gone when it is sent
          // (LXD's rsync: exit 24, "vanished source files"). What the copy missed, the pause's refresh sends.
          step.end(StepStatus.FAILED, MemberSteps.message(e) + "; the pause sends what changed");
          return;
        }
        round = Duration.between(t, clock.instant());
        step.done("what changed meanwhile, " + round.toMillis() + " ms" + sent(sent));
      }
    }
  }

  /**
   * The hook path, while the app serves: a new container for the member on the target host (the template's
   * image, the member's limits, its new address), configured, started and healthy with the target's
   * picture ({@code target}: the member as it will be there), then ready for the data: {@code import-prep}
   * when the template keeps data. Nothing at the source changes.
   */
  public void preCreate(OperationContext ctx, MemberJob target) {
    MemberRecord m = target.member();
    HostDriver dst = drivers.driver(m.host());
    Timer t = new Timer();
    String alias = images.ensure(dst, target.template());
    t.lap("image");
    dst.create(MemberProvisioner.spec(target, m, alias, containers.storeId()));
    dst.start(m.name());
    if (!steps.waitForAddress(ctx, dst, m.name(), m.ip())) {
      throw new OperationFailedException("member " + m.name() + ": its new container on " + m.host()
          + " did not take its address " + m.ip());
    }
    hooks.install(dst, m.name());
    t.lap("container");
    // configure and start run again once it serves (with the switched picture): these must not be answered
    // from the agent's journal then
    MemberJob early = target.scoped("before-switch");
    steps.hook(ctx, dst, early, m, "configure", MemberSteps.RETRY_LATER_ATTEMPTS);
    steps.hook(ctx, dst, early, m, "start", MemberSteps.RETRY_LATER_ATTEMPTS);
    steps.awaitHealthy(ctx, dst, early, m);
    t.lap("configure, start, health");
    if (!target.template().dataDirs().isEmpty()) {
      dataHook(dst, early, m, IMPORT_PREP);
      t.lap(IMPORT_PREP);
    }
    ctx.step(m.name() + ": created at the target", m.host() + " " + m.ip() + " while the source serves (" + t + ")");
  }

  /**
   * The hook path's pause, after {@link #quiesce}: {@code export-final} in the source writes its archive,
   * which goes through the plane (its size and sha256 checked against what the hook said) into the target
   * member, whose copy must sum the same there before {@code import-clean} loads it. A mismatch fails the
   * move naming the member; the source is kept.
   */
  public void handOver(OperationContext ctx, MemberJob source, MemberJob target) {
    MemberRecord from = source.member();
    MemberRecord to = target.member();
    HostDriver src = drivers.driver(from.host());
    HostDriver dst = drivers.driver(to.host());
    Timer t = new Timer();
    HookResult exported = dataHook(src, source, from, EXPORT_FINAL);
    dev.cadre.manager.backups.BackupWork.Answer said = dev.cadre.manager.backups.BackupWork.Answer.of(from.name(),
        exported.output());
    t.lap(EXPORT_FINAL);
    java.nio.file.Path file = null;
    try {
      file = java.nio.file.Files.createTempFile("cadre-handover-", ".tar.gz", java.nio.file.attribute.PosixFilePermissions
          .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      long bytes;
      try (java.io.OutputStream out = new java.security.DigestOutputStream(new java.io.BufferedOutputStream(
          java.nio.file.Files.newOutputStream(file), 256 * 1024), digest)) {
        // the archive cannot be larger than the member's disk: a larger one is not an archive
        bytes = src.pullFile(from.name(), dev.cadre.manager.backups.BackupWork.EXPORT_PATH, out,
            Math.max(1, from.diskMiB()) * MIB);
      }
      String sum = java.util.HexFormat.of().formatHex(digest.digest());
      if (bytes != said.bytes() || (said.sha256() != null && !said.sha256().equals(sum))) {
        throw new OperationFailedException("member " + from.name() + ": its archive has " + bytes + " bytes, sha256 "
            + sum + "; the export hook said " + said.bytes() + " bytes" + (said.sha256() == null ? ""
            : ", sha256 " + said.sha256()) + "; the source is kept");
      }
      t.lap("pull " + bytes + " bytes");
      dst.pushFile(to.name(), dev.cadre.manager.backups.BackupWork.IMPORT_PATH, file, 0600);
      t.lap("push");
      String there = sha256In(dst, to.name(), dev.cadre.manager.backups.BackupWork.IMPORT_PATH);
      if (!sum.equals(there)) {
        throw new OperationFailedException("member " + to.name() + ": the archive on " + to.host() + " sums to " + there
            + ", the source's to " + sum + "; the source is kept");
      }
      t.lap("sum at the target");
      dataHook(dst, target, to, IMPORT_CLEAN);
      t.lap(IMPORT_CLEAN);
      ctx.step(to.name() + ": data handed over", from.host() + " -> " + to.host() + ", " + bytes + " bytes, sha256 "
          + sum + " on both sides (" + t + ")");
    } catch (java.io.IOException e) {
      throw new OperationFailedException("member " + from.name() + ": cannot hold its archive on the way: "
          + e.getMessage());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    } finally {
      if (file != null) {
        try {
          java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException ignored) {
          // a temporary file of mode 0600; the next start's temp cleanup takes it
        }
      }
      try {
        src.exec(from.name(), new ExecRequest(List.of("rm", "-rf", "--", "/var/lib/cadre/export"), Map.of(), null,
            SIZE_TIMEOUT));
      } catch (RuntimeException ignored) {
        // best effort: the next export starts from an empty folder
      }
    }
  }

  private HookResult dataHook(HostDriver d, MemberJob job, MemberRecord m, String hook) {
    HookResult r = steps.runHook(d, job, m, hook, 1, DATA_TIMEOUT);
    if (!r.ok()) {
      throw new OperationFailedException(MemberSteps.hookFailure(m, hook, r));
    }
    return r;
  }

  /** The sha256 (hex) of one file inside the member; what a tenant answers is only compared, never trusted. */
  private static String sha256In(HostDriver d, String name, String path) {
    ExecResult r = d.exec(name, new ExecRequest(List.of("sha256sum", "--", path), Map.of(), null, CHECKSUM_TIMEOUT,
        4096, true));
    String out = new String(r.stdout(), StandardCharsets.UTF_8).strip();
    return r.exitCode() == 0 && out.length() >= 64 ? out.substring(0, 64) : "(none: exit " + r.exitCode() + ")";
  }

  /** The hooks of the hook path (a template that keeps data and moves it itself declares all three). */
  public static final String EXPORT_FINAL = "export-final";
  public static final String IMPORT_PREP = "import-prep";
  public static final String IMPORT_CLEAN = "import-clean";

  /**
   * The start of the pause: the {@code stop} hook ends the service's writes, the data directories are
   * summed, and (unless {@code keepRunning}) the container stops. Answers the sum (null when the template
   * declares no data directory: it keeps no state of its own). A move to another address keeps the source
   * container running: its data directories are still (the sums prove it), the rest of its file system
   * may be as it is, and the stop costs a second of the pause; a drain, whose copy takes the same address,
   * stops it.
   */
  public String quiesce(OperationContext ctx, MemberJob job, MemberRecord m, boolean keepRunning) {
    return quiesce(ctx, job, m, keepRunning, true);
  }

  /** As {@link #quiesce(OperationContext, MemberJob, MemberRecord, boolean)}; {@code sum}: false when nothing compares the data's sum (the hook path checks its archive instead). */
  public String quiesce(OperationContext ctx, MemberJob job, MemberRecord m, boolean keepRunning, boolean sum) {
    HostDriver src = drivers.driver(m.host());
    members.change(m, MemberState.MOVING, null);
    Timer t = new Timer();
    HookResult stop = steps.runHook(src, job, m, "stop", 1);
    if (!stop.ok() && stop.exit() != dev.cadre.templates.HookExit.NOT_IMPLEMENTED) {
      throw new OperationFailedException(MemberSteps.hookFailure(m, "stop", stop));
    }
    t.lap("stop hook");
    String summed = sum ? checksum(src, m.name(), job.template().dataDirs()) : null;
    if (sum) {
      t.lap("sum");
    }
    // the service is down and its data on disk (the host's page cache is what the copy reads): nothing
    // inside needs a clean shutdown, and a forced stop saves the seconds systemd takes
    if (!keepRunning) {
      src.stopNow(m.name());
      t.lap("container stop");
    }
    ctx.step(m.name() + ": stopped", "on " + m.host() + " (" + t + ")" + (summed == null ? "" : "; data " + summed));
    return summed;
  }

  /**
   * The rest of the pause before the member serves again: the last refresh, the copy starts with its new
   * address, and its data must sum to what the source's did. A mismatch fails the move naming the member.
   */
  public void finalCopy(OperationContext ctx, MemberJob job, MemberRecord m, Target to, String sourceSum) {
    HostDriver src = drivers.driver(m.host());
    HostDriver dst = drivers.driver(to.host());
    Timer t = new Timer();
    boolean exists = dst.find(m.name()).isPresent();
    boolean running = src.get(m.name()).running();
    String what = m.host() + " -> " + to.host() + ", " + (exists ? "refresh" : "whole copy");
    try (RunningStep step = ctx.begin(m.name() + ": final copy", what)) {
      long sent = copy(src, dst, new CopyRequest(m.name(), m.name(), new NicSpec(to.network(), to.ip()), exists,
          running), step, what);
      step.done(what + ", " + Duration.between(t.last, clock.instant()).toMillis() + " ms" + sent(sent));
    }
    t.lap(exists ? "refresh" : "whole copy");
    dst.start(m.name());
    t.lap("start");
    if (!steps.waitForAddress(ctx, dst, m.name(), to.ip())) {
      throw new OperationFailedException("member " + m.name() + ": its copy on " + to.host() + " did not take its address "
          + to.ip());
    }
    t.lap("address");
    hooks.install(dst, m.name());
    t.lap("agent");
    String targetSum = checksum(dst, m.name(), job.template().dataDirs());
    t.lap("sum");
    if (sourceSum != null && !sourceSum.equals(targetSum)) {
      throw new OperationFailedException("member " + m.name() + ": the data on " + to.host() + " does not match the"
          + " source's (source " + sourceSum + ", copy " + targetSum + "); the source is kept");
    }
    ctx.step(m.name() + ": copied and verified", t + "; " + (sourceSum == null ? "no data directories declared"
        : "data matches: " + targetSum));
  }

  /** The member (its row already says the target) is configured, started and healthy there. */
  public MemberRecord serve(OperationContext ctx, MemberJob job) {
    MemberRecord m = job.member();
    HostDriver dst = drivers.driver(m.host());
    Timer t = new Timer();
    steps.hook(ctx, dst, job, m, "configure", MemberSteps.RETRY_LATER_ATTEMPTS);
    t.lap("configure");
    steps.hook(ctx, dst, job, m, "start", MemberSteps.RETRY_LATER_ATTEMPTS);
    t.lap("start");
    steps.awaitHealthy(ctx, dst, job, m);
    t.lap("health");
    ctx.step(m.name() + ": serves on " + m.host(), t.toString());
    return members.change(store(m), MemberState.RUNNING, null);
  }

  /**
   * Undoes the member's move (its row says the source again): the copy goes, the source container starts
   * with the data it stopped with, and its service starts. Answers what happened, for the step.
   */
  public String back(OperationContext cancellable, MemberJob job, MoveRecord move) {
    OperationContext ctx = cancellable.uncancellable(); // an undo runs to its end, cancelled or not
    MemberRecord m = store(job.member());
    List<String> done = new ArrayList<>();
    try {
      done.add(containers.remove(move.toHost(), m.name()));
    } catch (RuntimeException e) {
      done.add("copy on " + move.toHost() + " not removed: " + MemberSteps.message(e) + " (the sweep removes it)");
    }
    try {
      HostDriver src = drivers.driver(move.fromHost());
      if (!src.get(m.name()).running()) { // stopped by the pause of a drain, or found stopped
        src.start(m.name());
      }
      if (!steps.waitForAddress(ctx, src, m.name(), move.fromAddress())) {
        throw new OperationFailedException("it did not take its address " + move.fromAddress() + " again");
      }
      hooks.install(src, m.name());
      HookResult start = steps.runHook(src, job, m, "start", 1);
      done.add(start.ok() ? "running again on " + move.fromHost() : MemberSteps.hookFailure(m, "start", start));
      if (m.state() != MemberState.RUNNING || !start.ok()) {
        members.change(m, start.ok() ? MemberState.RUNNING : MemberState.FAILED, start.ok() ? null
            : "its move was undone but it did not start again: " + MemberSteps.hookFailure(m, "start", start));
      }
    } catch (RuntimeException e) {
      done.add("could not start it again on " + move.fromHost() + ": " + MemberSteps.message(e));
      members.change(m, MemberState.FAILED, "its move was undone but it did not start again: " + MemberSteps.message(e));
    }
    return String.join("; ", done);
  }

  /** Removes a member's container from {@code host} (its source once moved, or its copy when undone). */
  public String remove(String host, String member) {
    return containers.remove(host, member);
  }

  /**
   * Bytes under the member's data directories (du), for a plan; -1 when the member does not answer in
   * time. What the tenant's container answers is an estimate, never trusted for anything else.
   */
  public long dataBytes(MemberRecord m, List<String> dirs) {
    if (dirs.isEmpty()) {
      return 0;
    }
    List<String> argv = new ArrayList<>(List.of("du", "-s", "-b", "-x"));
    argv.addAll(dirs);
    try {
      ExecResult r = drivers.driver(m.host()).exec(m.name(), new ExecRequest(argv, Map.of(), null, SIZE_TIMEOUT, 4096, true));
      long total = 0;
      for (String line : new String(r.stdout(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.strip().split("\\s+");
        if (f.length >= 1 && f[0].matches("\\d{1,18}")) {
          total += Long.parseLong(f[0]);
        }
      }
      return total;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * One copy, the step's detail following what the driver says it has sent ("lxd1 -> lxd2, 42.1 MiB sent",
   * {@code doing} first); answers the last figure, -1 when the driver said nothing. The step keeps its
   * writes few and ignores a store that fails them: the copy never fails for its progress.
   */
  private static long copy(HostDriver src, HostDriver dst, CopyRequest request, RunningStep step, String doing) {
    AtomicLong sent = new AtomicLong(-1);
    src.copyTo(dst, request, bytes -> {
      sent.set(bytes);
      step.update(doing + sent(bytes));
    });
    return sent.get();
  }

  /** ", 42.1 MiB sent", or nothing when the driver did not say (-1). */
  private static String sent(long bytes) {
    if (bytes < 0) {
      return "";
    }
    if (bytes < 1024) {
      return ", " + bytes + " B sent";
    }
    double n = bytes / 1024.0;
    String unit = "KiB";
    for (String next : new String[] {"MiB", "GiB", "TiB"}) {
      if (n < 1024) {
        break;
      }
      n /= 1024;
      unit = next;
    }
    return String.format(java.util.Locale.ROOT, ", %.1f %s sent", n, unit);
  }

  private String checksum(HostDriver d, String name, List<String> dirs) {
    if (dirs.isEmpty()) {
      return null;
    }
    List<String> argv = new ArrayList<>(List.of("sh", "-c", CHECKSUM, "sh"));
    argv.addAll(dirs);
    ExecResult r = d.exec(name, new ExecRequest(argv, Map.of(), null, CHECKSUM_TIMEOUT, 4096, true));
    String out = new String(r.stdout(), StandardCharsets.UTF_8).strip();
    if (r.exitCode() != 0 || !out.matches("[0-9a-f]{64} \\d{1,12}")) {
      throw new OperationFailedException("member " + name + ": could not sum its data on " + d.hostName() + " (exit "
          + r.exitCode() + "): " + (out.length() > 200 ? out.substring(0, 200) : out)
          + new String(r.stderr(), StandardCharsets.UTF_8).strip());
    }
    String[] f = out.split(" ");
    return "sha256:" + f[0] + " (" + f[1] + " files)";
  }

  /** Durations of a step's parts, for its detail: "stop hook 120 ms, sum 30 ms". */
  private final class Timer {
    private final StringBuilder laps = new StringBuilder();
    /** When the last lap ended (or the timer began). */
    Instant last = clock.instant();

    void lap(String what) {
      Instant now = clock.instant();
      laps.append(laps.length() == 0 ? "" : ", ").append(what).append(' ').append(Duration.between(last, now).toMillis())
          .append(" ms");
      last = now;
    }

    @Override
    public String toString() {
      return laps.toString();
    }
  }

  private MemberRecord store(MemberRecord m) {
    return members.store().member(m.name()).orElse(m);
  }
}

package dev.cadre.manager.backups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.HostDriver;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.RestoreRequest;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.BackupRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookResult;
import dev.cadre.templates.Template;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The work of a backup and of a restore, run by their operations.
 *
 * <p>Backup: {@code export-live} in the member writes the archive to {@link #EXPORT_PATH} and prints
 * {@code {"path", "bytes", "sha256"}}; the archive is streamed into the backup directory (sha256 computed
 * on the way) and must match what the member said; the member's copy is removed; the backup is recorded.
 *
 * <p>Restore: waits for the create operation of the new app, then in its primary {@code import-prep},
 * the archive checked against its recorded sha256 and pushed to {@link #IMPORT_PATH}, {@code import-clean},
 * and {@code health} until it answers. A restore that fails (also when making its app failed) deletes that
 * app: a new app without the backup's data would look like a restore that worked.
 */
public final class BackupWork {
  /** Where export hooks leave the archive; fixed, never taken from a hook's answer. */
  public static final String EXPORT_PATH = "/var/lib/cadre/export/data.tar.gz";
  /** Where cadre pushes an archive for import-clean. */
  public static final String IMPORT_PATH = "/var/lib/cadre/import/data.tar.gz";
  private static final long MIB = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final DriverRegistry drivers;
  private final DataHooks hooks;
  private final Archives archives;
  private final Operations operations;
  private final Function<String, OperationView> deleteApp;
  private final Clock clock;

  /**
   * @param deleteApp starts the deletion of an app (the same as {@code DELETE /v1/apps/NAME}): what a failed
   *     restore does with the app it made
   */
  public BackupWork(Store store, DriverRegistry drivers, dev.cadre.manager.hooks.HookRunner hooks,
      dev.cadre.manager.hooks.Dependencies dependencies, java.nio.file.Path dir, Operations operations,
      Function<String, OperationView> deleteApp, Clock clock) {
    this.store = store;
    this.drivers = drivers;
    this.hooks = new DataHooks(store, drivers, hooks, dependencies);
    this.archives = new Archives(dir);
    this.operations = operations;
    this.deleteApp = deleteApp;
    this.clock = clock;
  }

  Archives archives() {
    return archives;
  }

  void backup(OperationContext ctx, String id, ServiceRecord s, MemberRecord m, Template t) {
    HostDriver driver = drivers.driver(m.host());
    boolean stored = false;
    try {
      HookResult r = hooks.require(ctx, s, m, Backups.EXPORT);
      Answer said = Answer.of(m.name(), r.output());
      ctx.progress(40);
      ctx.checkCancelled();
      // the archive cannot be larger than the member's disk: a larger answer is not an archive
      long limit = Math.max(1, t.diskMiB()) * MIB;
      Archives.Pulled got = archives.pull(driver, m.name(), EXPORT_PATH, id, limit);
      if (got.bytes() != said.bytes()) {
        throw new OperationFailedException("member " + m.name() + " said its archive has " + said.bytes()
            + " bytes; cadre read " + got.bytes());
      }
      if (said.sha256() != null && !said.sha256().equals(got.sha256())) {
        throw new OperationFailedException("member " + m.name() + " said its archive's sha256 is " + said.sha256()
            + "; what cadre read has " + got.sha256());
      }
      ctx.step("archive to " + archives.file(id), got.bytes() + " bytes, sha256 " + got.sha256());
      ctx.progress(80);
      store.insertBackup(new BackupRecord(id, s.app(), s.name(), s.template(), s.topology(), s.config(),
          clock.instant(), got.bytes(), got.sha256(), ctx.id()));
      stored = true;
      ctx.step("backup " + id, "of service '" + s.name() + "' of app '" + s.app() + "' from " + m.name());
    } finally {
      if (!stored) {
        archives.delete(id);
      }
      removeExport(ctx, driver, m);
    }
  }

  void restore(OperationContext ctx, BackupRecord b, RestoreRequest to, String createId) throws InterruptedException {
    ctx.step("create app " + to.app(), "operation " + createId);
    boolean loaded = false;
    try {
      OperationView created = awaitCreate(ctx, createId);
      if (!"success".equals(created.status())) {
        throw new OperationFailedException("creating app '" + to.app() + "' ended in " + created.status() + ": "
            + created.error());
      }
      ctx.progress(50);
      ServiceRecord s = store.service(to.app(), to.service()).orElseThrow(() -> new OperationFailedException(
          "app '" + to.app() + "' has no service '" + to.service() + "' after its creation"));
      MemberRecord m = primary(s);
      hooks.require(ctx, s, m, Backups.IMPORT_PREP);
      String sum = archives.sha256Of(b.id());
      if (!sum.equals(b.sha256())) {
        throw new OperationFailedException("the archive of backup " + b.id() + " changed on disk: its sha256 is "
            + sum + ", recorded " + b.sha256());
      }
      ctx.step("archive of backup " + b.id() + " checked", b.bytes() + " bytes, sha256 " + sum);
      ctx.checkCancelled();
      drivers.driver(m.host()).pushFile(m.name(), IMPORT_PATH, archives.file(b.id()), 0600);
      ctx.step("archive pushed to " + m.name(), IMPORT_PATH);
      ctx.progress(75);
      hooks.require(ctx, s, m, Backups.IMPORT_CLEAN);
      hooks.awaitHealthy(ctx, s, m, Duration.ofMinutes(2));
      loaded = true;
    } finally {
      if (!loaded && store.app(to.app()).isPresent()) {
        try {
          OperationView delete = deleteApp.apply(to.app());
          ctx.step("roll back", StepStatus.UNDONE, "deleting app '" + to.app() + "', which the restore made (operation "
              + delete.id() + ")");
          operations.await(delete.id(), Duration.ofMinutes(10));
        } catch (RuntimeException e) {
          ctx.step("roll back", StepStatus.FAILED, "app '" + to.app() + "' could not be deleted: " + e.getMessage());
        }
      }
    }
  }

  /** Waits for the app's create operation; a cancel of the restore cancels it. */
  private OperationView awaitCreate(OperationContext ctx, String createId) throws InterruptedException {
    while (true) {
      OperationView v = operations.await(createId, Duration.ofSeconds(1));
      if (v.done()) {
        return v;
      }
      if (ctx.cancelRequested()) {
        operations.cancel(createId);
        operations.await(createId, Duration.ofMinutes(10));
        ctx.checkCancelled();
      }
    }
  }

  private MemberRecord primary(ServiceRecord s) {
    List<MemberRecord> members = store.members(s.app()).stream()
        .filter(m -> m.service().equals(s.name()) && m.state() == MemberState.RUNNING).toList();
    return members.stream().filter(m -> "primary".equals(m.role())).findFirst()
        .or(() -> members.stream().findFirst())
        .orElseThrow(() -> new OperationFailedException("service '" + s.name() + "' of app '" + s.app()
            + "' has no running member to load the backup into"));
  }

  /** Removes the member's copy of the archive (best effort: the next export starts from an empty folder). */
  private void removeExport(OperationContext ctx, HostDriver driver, MemberRecord m) {
    try {
      var r = driver.exec(m.name(), new ExecRequest(List.of("rm", "-rf", "--", "/var/lib/cadre/export"), Map.of(),
          null, Duration.ofSeconds(60)));
      if (r.exitCode() != 0) {
        ctx.step(m.name() + ": remove the archive", StepStatus.FAILED, r.stderrText());
      }
    } catch (RuntimeException e) {
      ctx.step(m.name() + ": remove the archive", StepStatus.FAILED, e.getMessage());
    }
  }

  /** What an export hook printed as its last line: {@code {"path": EXPORT_PATH, "bytes": N, "sha256": "hex"?}}. */
  public record Answer(long bytes, String sha256) {
    /** The answer in the last line of an export hook's stdout; anything else fails the operation, naming the member. */
    public static Answer of(String member, String output) {
      return parse(member, DataHooks.lastLine(output));
    }

    static Answer parse(String member, String line) {
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (java.io.IOException e) {
        n = null;
      }
      if (n == null || !n.isObject()) {
        throw new OperationFailedException("member " + member + ": the export hook's last line is not JSON: " + line);
      }
      if (!EXPORT_PATH.equals(n.path("path").asText())) {
        throw new OperationFailedException("member " + member + ": the export hook wrote its archive to '"
            + n.path("path").asText() + "'; cadre reads it only from " + EXPORT_PATH);
      }
      if (!n.path("bytes").canConvertToLong() || n.path("bytes").asLong() < 0) {
        throw new OperationFailedException("member " + member + ": the export hook gave no size in 'bytes': " + line);
      }
      String sum = n.path("sha256").asText(null);
      if (sum != null && !sum.matches("[0-9a-f]{64}")) {
        throw new OperationFailedException("member " + member + ": 'sha256' is not 64 hex digits: " + line);
      }
      return new Answer(n.path("bytes").asLong(), sum);
    }
  }
}

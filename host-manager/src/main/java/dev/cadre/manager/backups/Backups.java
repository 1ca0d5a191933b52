package dev.cadre.manager.backups;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.BackupView;
import dev.cadre.manager.Names;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.RestoreRequest;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.apps.Apps;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.BackupRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Backups and restores from request to operation. A request is checked up front (a refusal changes
 * nothing): names, the app and service (404), a template that declares the data hooks (409), a running
 * member to export from. A backup's id is chosen here, so its operation's target names it
 * ({@code apps/A/services/S/backups/ID}). A restore makes its app through {@link Apps#create}, the same
 * path as {@code POST /v1/apps}, and loads the archive into the new service's primary once it runs.
 */
public final class Backups {
  public static final String EXPORT = "export-live";
  public static final String IMPORT_PREP = "import-prep";
  public static final String IMPORT_CLEAN = "import-clean";
  private static final Pattern ID = Pattern.compile("bk-[0-9a-f]{20}");
  private static final String SINGLE = "single";

  private final Store store;
  private final TemplateCatalog templates;
  private final Operations operations;
  private final Apps apps;
  private final BackupWork work;
  private final Archives archives;

  public Backups(Store store, TemplateCatalog templates, Operations operations, Apps apps, BackupWork work) {
    this.store = store;
    this.templates = templates;
    this.operations = operations;
    this.apps = apps;
    this.work = work;
    this.archives = work.archives();
  }

  public OperationView backup(String app, String service, String actor) {
    ServiceRecord s = service(app, service);
    Template t = templates.find(s.template()).orElseThrow(() -> new ConflictException(null,
        "template '" + s.template() + "' of service '" + service + "' is not known to this server"));
    if (!t.implementsHook(EXPORT)) {
      throw new ConflictException(null, "template '" + t.name() + "' declares no '" + EXPORT + "' hook: service '"
          + service + "' cannot be backed up");
    }
    MemberRecord from = source(s);
    String id = "bk-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    OperationRecord op = operations.newOperation(OperationKind.BACKUP_SERVICE,
        "apps/" + app + "/services/" + service + "/backups/" + id, actor);
    store.insertOperation(op);
    operations.submit(op, ctx -> work.backup(ctx, id, s, from, t));
    return operations.view(op.id());
  }

  /** Oldest first; also the backups of an app that is gone. 404 when there are none and no such service. */
  public List<BackupView> list(String app, String service) {
    Names.require("app", app);
    Names.require("service", service);
    List<BackupRecord> rows = store.backups(app, service);
    if (rows.isEmpty()) {
      service(app, service);
    }
    return rows.stream().map(Backups::view).toList();
  }

  public OperationView restore(String app, String service, String id, RestoreRequest to, String actor) {
    Names.require("app", app);
    Names.require("service", service);
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidInputException(null, "invalid backup id " + (id == null ? "(none)" : "'" + clip(id) + "'")
          + ": 'bk-' and 20 hex digits");
    }
    if (to == null) {
      throw new InvalidInputException(null, "a body {app, service, datacenter} is required");
    }
    Names.require("app", to.app());
    Names.require("service", to.service());
    Names.require("datacenter", to.datacenter());
    BackupRecord b = store.backup(id).filter(x -> x.app().equals(app) && x.service().equals(service))
        .orElseThrow(() -> new NotFoundException(null, "service '" + service + "' of app '" + app
            + "' has no backup '" + id + "'"));
    if (!archives.exists(id)) {
      throw new ConflictException(null, "the archive of backup " + id + " is missing from " + archives.dir());
    }
    Template t = templates.find(b.template()).orElseThrow(() -> new ConflictException(null,
        "template '" + b.template() + "' of backup " + id + " is not known to this server"));
    for (String hook : List.of(IMPORT_PREP, IMPORT_CLEAN)) {
      if (!t.implementsHook(hook)) {
        throw new ConflictException(null, "template '" + t.name() + "' declares no '" + hook + "' hook: backup " + id
            + " cannot be restored");
      }
    }
    if (store.app(to.app()).isPresent()) {
      throw new ConflictException(null, "app '" + to.app() + "' exists; a backup is restored into a new app"
          + " (restoring into an existing app is not supported yet)");
    }
    String topology = t.topologies().contains(SINGLE) ? SINGLE : t.topologies().get(0);
    OperationView create = apps.create(new AppRequest(to.app(), to.datacenter(),
        List.of(new ServiceRequest(to.service(), t.name(), topology, null, b.config())), false), actor);
    OperationRecord op = operations.newOperation(OperationKind.RESTORE_SERVICE,
        "apps/" + to.app() + "/services/" + to.service(), actor);
    store.insertOperation(op);
    operations.submit(op, ctx -> work.restore(ctx, b, to, create.id()));
    return operations.view(op.id());
  }

  /** The member an export runs in: the running primary, or the only member of a service without roles. */
  private MemberRecord source(ServiceRecord s) {
    List<MemberRecord> members = store.members(s.app()).stream().filter(m -> m.service().equals(s.name())).toList();
    List<MemberRecord> running = members.stream().filter(m -> m.state() == MemberState.RUNNING).toList();
    return running.stream().filter(m -> "primary".equals(m.role())).findFirst()
        .or(() -> members.size() == 1 ? running.stream().findFirst() : java.util.Optional.empty())
        .orElseThrow(() -> new ConflictException(null, "service '" + s.name() + "' of app '" + s.app()
            + "' has no running primary to back up from"));
  }

  private ServiceRecord service(String app, String service) {
    Names.require("app", app);
    Names.require("service", service);
    AppRecord a = store.app(app).orElseThrow(() -> new NotFoundException(null, "app '" + app + "' not found"));
    return store.service(a.name(), service)
        .orElseThrow(() -> new NotFoundException(null, "app '" + app + "' has no service '" + service + "'"));
  }

  static BackupView view(BackupRecord b) {
    return new BackupView(b.id(), b.app(), b.service(), b.template(), b.topology(), b.created(), b.bytes(), b.sha256());
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}

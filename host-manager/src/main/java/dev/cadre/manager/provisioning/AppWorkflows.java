package dev.cadre.manager.provisioning;

import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.manager.roles.Roles;
import dev.cadre.manager.roles.ServiceAddresses;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The work of the app operations: create (addresses, then every member in parallel) and delete
 * (every container, every address, then the rows). Both are safe to run again on what a crash left.
 */
public final class AppWorkflows {
  private final Store store;
  private final Ipam ipam;
  private final TemplateCatalog templates;
  private final MemberProvisioner provisioner;
  private final MemberEvents memberEvents;
  private final Containers containers;
  private final ExecutorService memberPool;
  private final AppStates appStates;
  private final ServiceAddresses addresses;

  public AppWorkflows(Store store, Ipam ipam, TemplateCatalog templates, MemberProvisioner provisioner,
      MemberEvents memberEvents, Containers containers, ExecutorService memberPool, ServiceAddresses addresses) {
    this.addresses = addresses;
    this.store = store;
    this.ipam = ipam;
    this.templates = templates;
    this.provisioner = provisioner;
    this.memberEvents = memberEvents;
    this.containers = containers;
    this.memberPool = memberPool;
    this.appStates = new AppStates(store);
  }

  public void create(OperationContext ctx, String appName) {
    try {
      provision(ctx, appName);
    } catch (OperationCancelledException e) {
      if (store.app(appName).isPresent()) {
        // cancelled before the members were under way (while addresses were handed out)
        ctx.step("cancelled", "removing what this operation made");
        delete(ctx, appName);
      }
      throw e;
    } catch (OperationFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      // something other than a member failed (the store, the address pool): nothing may stay half made
      rollBackUnfinished(ctx, appName, MemberSteps.message(e));
      throw e;
    }
  }

  /**
   * Members of this operation that are neither running nor failed: container removed, address
   * released, marked failed with {@code reason}; the app's state follows.
   */
  public void rollBackUnfinished(OperationContext ctx, String appName, String reason) {
    for (MemberRecord m : store.members(appName)) {
      if (!ctx.id().equals(m.operationId()) || m.state() == MemberState.RUNNING || m.state() == MemberState.FAILED) {
        continue;
      }
      String detail;
      try {
        detail = containers.discard(m.host(), m.name());
        ipam.release(m.name());
        detail += "; address released";
      } catch (RuntimeException e) {
        detail = "could not remove the container: " + MemberSteps.message(e) + "; address kept";
      }
      ctx.step(m.name() + ": rollback", StepStatus.UNDONE, detail);
      memberEvents.change(m, MemberState.FAILED, reason);
    }
    appStates.follow(appName);
  }

  private void provision(OperationContext ctx, String appName) {
    AppRecord app = store.app(appName).orElseThrow(() -> new NotFoundException(null, "app '" + appName + "' not found"));
    DatacenterRecord dc = store.datacenter(app.datacenter()).orElseThrow();
    Subnet subnet = Ipam.subnetOf(dc);
    Map<String, ServiceRecord> services = store.services(appName).stream()
        .collect(Collectors.toMap(ServiceRecord::name, s -> s));
    Map<String, String> networks = store.hosts().stream()
        .collect(Collectors.toMap(HostRecord::name, HostRecord::network));

    // addresses first: every member's configure hook sees all its peers' addresses
    List<MemberRecord> members = new ArrayList<>();
    java.util.Set<String> foreign = foreignAddresses(app.datacenter());
    for (MemberRecord m : store.members(appName)) {
      if (m.ip() == null) {
        ctx.checkCancelled();
        m = m.withIp(ipam.allocate(app.datacenter(), m.name(), foreign));
        store.updateMember(m);
        memberEvents.announce(m);
      }
      members.add(m);
    }
    for (ServiceRecord s : List.copyOf(services.values())) {
      if (ServiceAddresses.hasPrimary(templates.require(s.template()))) {
        ctx.checkCancelled();
        services.put(s.name(), addresses.allocate(app.datacenter(), s, foreign));
      }
    }
    ctx.step("allocate addresses", members.stream().map(m -> m.name() + "=" + m.ip()).collect(Collectors.joining(" "))
        + services.values().stream().filter(s -> s.address() != null).map(s -> " service " + s.name() + "=" + s.address())
            .collect(Collectors.joining()));

    int total = members.size() * MemberProvisioner.STEPS;
    AtomicInteger done = new AtomicInteger();
    MemberProvisioner.StepListener progress = () -> ctx.progress(done.incrementAndGet() * 100 / Math.max(1, total));
    Map<String, List<MemberRecord>> byService = members.stream().collect(Collectors.groupingBy(MemberRecord::service));

    // phase one in parallel: every member created, started and holding its address ...
    List<MemberJob> jobs = new ArrayList<>();
    for (MemberRecord m : members) {
      if (m.state() != MemberState.CREATING) {
        continue;
      }
      ServiceRecord s = services.get(m.service());
      Template t = templates.require(s.template());
      jobs.add(new MemberJob(ctx.id(), m, s, t, byService.get(m.service()), subnet, networks.get(m.host()),
          app.keepFailed(), app.datacenter()));
    }
    List<String> failures = new ArrayList<>();
    boolean cancelled = false;
    List<CompletableFuture<MemberRecord>> prepared = new ArrayList<>();
    for (MemberJob job : jobs) {
      prepared.add(CompletableFuture.supplyAsync(() -> provisioner.prepare(ctx, job, progress), memberPool));
    }
    List<MemberJob> ready = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      try {
        ready.add(jobs.get(i).with(prepared.get(i).join(), List.of()));
      } catch (CompletionException e) {
        if (e.getCause() instanceof OperationCancelledException) {
          cancelled = true;
        } else {
          failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
        }
      }
    }
    // ... then phase two, so that every configure sees its peers' final addresses
    List<CompletableFuture<MemberRecord>> futures = new ArrayList<>();
    if (!cancelled && !ctx.cancelRequested()) {
      List<MemberRecord> now = store.members(appName);
      for (MemberJob job : ready) {
        List<MemberRecord> peers = now.stream()
            .filter(p -> p.service().equals(job.member().service()) && p.state() != MemberState.FAILED)
            .toList();
        MemberJob next = job.with(job.member(), peers);
        futures.add(CompletableFuture.supplyAsync(() -> provisioner.complete(ctx, next, progress), memberPool));
      }
    }
    for (CompletableFuture<MemberRecord> f : futures) {
      try {
        f.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof OperationCancelledException) {
          cancelled = true;
        } else {
          failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
        }
      }
    }
    if (cancelled || ctx.cancelRequested()) {
      ctx.step("cancelled", "removing what this operation made");
      delete(ctx, appName);
      throw new OperationCancelledException(ctx.id());
    }
    for (ServiceRecord s : services.values()) {
      List<MemberRecord> mine = store.members(appName).stream().filter(m -> m.service().equals(s.name())).toList();
      mine.stream().filter(m -> Roles.PRIMARY.equals(m.role()) && m.state() == MemberState.RUNNING).findFirst()
          .ifPresent(primary -> {
            try {
              addresses.moveTo(ctx, s, primary, mine);
            } catch (RuntimeException e) {
              failures.add("service " + s.name() + ": its address " + s.address() + " could not be given to "
                  + primary.name() + ": " + MemberSteps.message(e));
            }
          });
    }
    appStates.follow(appName);
    if (!failures.isEmpty()) {
      throw new OperationFailedException(failures.size() + " of " + members.size() + " members failed: "
          + String.join("; ", failures));
    }
  }

  /** Addresses that containers not made by this cadre hold on the datacenter's hosts (hosts that answer). */
  public java.util.Set<String> foreignAddresses(String datacenter) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (HostRecord h : store.hosts()) {
      if (!h.datacenter().equals(datacenter)) {
        continue;
      }
      try {
        for (var i : containers.drivers().driver(h.name()).list()) {
          if (!containers.ours(i)) {
            if (i.configuredIpv4() != null) {
              out.add(i.configuredIpv4());
            }
            if (i.ipv4() != null) {
              out.add(i.ipv4());
            }
          }
        }
      } catch (RuntimeException e) {
        // an unreachable host: its members cannot be placed there anyway
      }
    }
    return out;
  }

  /** Moves each member ({@code targets}: member name -> target host) off a draining host, in parallel. */
  public void drain(OperationContext ctx, String host, Map<String, String> targets) {
    Map<String, String> networks = store.hosts().stream()
        .collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    List<CompletableFuture<MemberRecord>> futures = new ArrayList<>();
    for (Map.Entry<String, String> t : targets.entrySet()) {
      MemberRecord m = store.member(t.getKey()).orElse(null);
      if (m == null || !m.host().equals(host)) {
        continue; // deleted or moved meanwhile
      }
      AppRecord app = store.app(m.app()).orElseThrow();
      Subnet subnet = Ipam.subnetOf(store.datacenter(app.datacenter()).orElseThrow());
      ServiceRecord s = store.services(m.app()).stream().filter(x -> x.name().equals(m.service())).findFirst()
          .orElseThrow();
      List<MemberRecord> peers = store.members(m.app()).stream().filter(p -> p.service().equals(m.service())).toList();
      MemberJob job = new MemberJob(ctx.id(), m, s, templates.require(s.template()), peers, subnet,
          networks.get(t.getValue()), app.keepFailed(), app.datacenter());
      futures.add(CompletableFuture.supplyAsync(() -> {
        MemberRecord moved = provisioner.relocate(ctx, job, t.getValue(), networks.get(t.getValue()));
        if (s.address() != null && Roles.PRIMARY.equals(moved.role())) {
          // the copy's NIC is new: the service address follows the primary to its new host now, not at
          // the watch's next look
          addresses.moveTo(ctx, s, moved, List.of(moved));
        }
        return moved;
      }, memberPool));
    }
    List<String> failures = new ArrayList<>();
    boolean cancelled = false;
    int done = 0;
    for (CompletableFuture<MemberRecord> f : futures) {
      try {
        f.join();
        ctx.progress(++done * 100 / futures.size());
      } catch (CompletionException e) {
        if (e.getCause() instanceof OperationCancelledException) {
          cancelled = true;
        } else {
          failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
        }
      }
    }
    if (cancelled) {
      throw new OperationCancelledException(ctx.id());
    }
    if (!failures.isEmpty()) {
      throw new OperationFailedException(failures.size() + " of " + futures.size() + " members could not be moved off "
          + host + " (they run where they were): " + String.join("; ", failures));
    }
  }

  /** Removes every member's container and address, then the app's rows. */
  public void delete(OperationContext ctx, String appName) {
    if (store.app(appName).isEmpty()) {
      ctx.step("app gone", "nothing to delete");
      return;
    }
    appStates.deleting(appName);
    List<MemberRecord> members = store.members(appName);
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (MemberRecord m : members) {
      futures.add(CompletableFuture.supplyAsync(() -> teardown(ctx, m, false), memberPool));
    }
    List<String> failures = new ArrayList<>();
    for (CompletableFuture<String> f : futures) {
      try {
        f.join();
      } catch (CompletionException e) {
        failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new OperationFailedException("could not remove " + failures.size() + " of " + members.size()
          + " members: " + String.join("; ", failures) + " (delete the app again when the hosts answer)");
    }
    for (ServiceRecord s : store.services(appName)) {
      if (addresses.release(s) > 0) {
        ctx.step(s.name() + ": service address", s.address() + " released");
      }
    }
    store.deleteApp(appName);
    ctx.step("app removed", appName);
  }

  /** Removes one member: its container, its address, its row (a conversion to fewer members). */
  public String removeMember(OperationContext ctx, MemberRecord m) {
    return teardown(ctx, m, true);
  }

  /** {@code graceful}: a short clean stop first (a member leaving a running service), else forced. */
  private String teardown(OperationContext ctx, MemberRecord m, boolean graceful) {
    MemberRecord now = memberEvents.change(m, MemberState.DELETING, null);
    String detail;
    try {
      detail = graceful ? containers.remove(m.host(), m.name()) : containers.discard(m.host(), m.name());
    } catch (RuntimeException e) {
      String why = "member " + m.name() + ": " + MemberSteps.message(e);
      memberEvents.change(now, MemberState.DELETING, why);
      ctx.step(m.name() + ": delete", StepStatus.FAILED, why);
      throw new OperationFailedException(why);
    }
    int released = ipam.release(m.name());
    store.deleteMember(m.name());
    ctx.step(m.name() + ": delete", detail + (released > 0 ? "; address " + m.ip() + " released" : ""));
    return detail;
  }
}

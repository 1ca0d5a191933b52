package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.MovePlan;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a real app (a redis service and a busybox service that depends on it) from LXD host 1 (dc1) to LXD
 * host 2 (dc2, its own network namespace, over HTTPS) while a real client writes through the service
 * address: the plan first, then the move; every acknowledged write is read back at the target, the
 * dependent's page shows the new address, nothing is left at the source. And the undone moves: a copy whose
 * data does not match the source's, a cancel.
 */
class MoveIT {
  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String app = "mv" + RunNames.suffix(5);
  /** When set, the next copy started on lxd2 is corrupted just before (a checksum mismatch, for real). */
  static final AtomicBoolean CORRUPT = new AtomicBoolean();

  @AfterEach
  void cleanUp() throws Exception {
    Teardown.all(plane, dir.resolve("data/drivers"),
        () -> assertEquals(Map.of("dc1", 0, "dc2", 0), plane.addressesInUse(), "every address released"),
        Map.of("lxd1", "unix://" + LxdControlPlaneIT.SOCKET, "lxd2", SecondDatacenterIT.HTTPS));
  }

  @Test
  void anAppMovesToTheOtherDatacenterWithEveryAcknowledgedWrite() throws Exception {
    ServiceView db = dbAndWeb();
    String password = db.secrets().get("password");
    String before = db.address();

    // bad input and plans change nothing
    assertThrows(NotFoundException.class, () -> plane.planMove(app, "dc9"));
    assertThrows(NotFoundException.class, () -> plane.planMove("nosuch", "dc2"));
    assertThrows(ConflictException.class, () -> plane.planMove(app, "dc1"), "already there");
    MovePlan plan = plane.planMove(app, "dc2");
    System.out.println("== plan " + plan);
    assertEquals("dc1", plan.from());
    assertEquals("dc2", plan.to());
    assertEquals(2, plan.members().size());
    for (MovePlan.Member m : plan.members()) {
      assertEquals("lxd2", m.toHost());
      assertTrue(inPool(m.toIp(), "10.78.0"), m.toIp());
    }
    MovePlan.Member redis = plan.members().stream().filter(m -> m.service().equals("db")).findFirst().orElseThrow();
    assertTrue(redis.dataBytes() > 0, "the redis member's data size: " + redis.dataBytes());
    assertEquals(1, plan.services().size());
    assertEquals(before, plan.services().get(0).fromAddress());
    assertEquals(Map.of("dc1", 3, "dc2", 0), plane.addressesInUse(), "a plan reserves nothing");
    assertTrue(lxd2Containers().isEmpty(), "a plan copies nothing");

    // the move, while a client writes through the service address it reads from the plane
    RedisRolesIT.Writer writer = new RedisRolesIT.Writer(() -> service("db").address(), password, "w");
    Thread.sleep(500);
    OperationView moved = ok(plane.moveApp(app, "dc2"), 15);
    Thread.sleep(1000);
    writer.stop();
    print("move", moved);
    System.out.printf("== writer: %d acknowledged SETs, longest stretch without one %d ms%n", writer.acked.get(),
        writer.longestGapMs());

    AppView a = plane.app(app);
    assertEquals("dc2", a.datacenter());
    db = service("db");
    assertNotEquals(before, db.address());
    assertTrue(inPool(db.address(), "10.78.0"), db.address());
    for (ServiceView s : a.services()) {
      for (MemberView m : s.members()) {
        assertEquals("lxd2", m.host(), m.toString());
        assertTrue(inPool(m.ip(), "10.78.0"), m.ip());
        assertEquals("running", m.state(), m.toString());
      }
    }
    assertEquals("master", Resp.role(db.address(), password));
    assertEquals(2000, Resp.existing(db.address(), password, "k", 2000), "every write from before the move");
    assertTrue(writer.acked.get() > 0, "the client wrote during the move");
    assertEquals(writer.acked.get(), Resp.existing(db.address(), password, "w", writer.acked.get()),
        "every write acknowledged during the move");
    MemberView web = service("web").members().get(0);
    String page = get("http://" + web.ip() + "/");
    assertTrue(page.contains("depends on db at " + db.address() + ":6379"), page);
    assertEquals(Map.of("dc1", 0, "dc2", 3), plane.addressesInUse());
    assertTrue(ours("lxd1").isEmpty(), "nothing left at the source: " + ours("lxd1"));
    assertEquals("ready", db.state());
  }

  @Test
  void byReplicationRedisMovesWithAPauseOfASwitchover() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(
        new ServiceRequest("db", "redis", null, null, null, null),
        new ServiceRequest("web", "busybox", null, 1, null, List.of("db"))), false)), 20);
    ServiceView db = service("db");
    String password = db.secrets().get("password");
    String oldMember = db.members().get(0).name();
    assertEquals(2000, write(db.address(), password, "k", 2000));
    MovePlan plan = plane.planMove(app, "dc2", "replicate");
    assertEquals("replicate", plan.members().stream().filter(m -> m.service().equals("db")).findFirst().orElseThrow()
        .method());
    assertEquals("copy", plan.members().stream().filter(m -> m.service().equals("web")).findFirst().orElseThrow()
        .method(), "a template without replicas is copied");
    assertThrows(dev.cadre.driver.InvalidInputException.class, () -> plane.planMove(app, "dc2", "teleport"));

    // no client writes: an idle redis that never had a replica reports position 0, and so does a replica
    // still making its first copy; the move must wait for the copy (its link up), or it loses everything
    OperationView moved = ok(plane.moveApp(app, "dc2", "replicate"), 15);
    print("move by replication", moved);

    assertEquals("dc2", plane.app(app).datacenter());
    db = service("db");
    assertEquals(1, db.members().size(), "the member at the source is gone: " + db.members());
    MemberView primary = db.members().get(0);
    assertNotEquals(oldMember, primary.name(), "a new member serves");
    assertEquals("primary", primary.role());
    assertEquals("lxd2", primary.host());
    assertTrue(inPool(primary.ip(), "10.78.0") && inPool(db.address(), "10.78.0"), db.toString());
    assertEquals("master", Resp.role(db.address(), password));
    assertEquals(2000, Resp.existing(db.address(), password, "k", 2000), "every write from before the move");
    MemberView web = service("web").members().get(0);
    assertEquals("lxd2", web.host());
    String page = get("http://" + web.ip() + "/");
    assertTrue(page.contains("depends on db at " + db.address() + ":6379 (members: " + primary.ip() + ")"), page);
    assertEquals(Map.of("dc1", 0, "dc2", 3), plane.addressesInUse());
    assertTrue(ours("lxd1").isEmpty(), "nothing left at the source: " + ours("lxd1"));
  }

  @Test
  void throughTheTemplatesHooksAnAppMovesWithEveryAcknowledgedWrite() throws Exception {
    ServiceView db = dbAndWeb();
    String password = db.secrets().get("password");
    String before = db.address();
    MovePlan plan = plane.planMove(app, "dc2", "hooks");
    assertEquals(List.of("hooks", "hooks"), plan.members().stream().map(MovePlan.Member::method).toList());
    assertTrue(lxd2Containers().isEmpty(), "a plan makes nothing");

    // the move, while a client writes through the service address it reads from the plane
    RedisRolesIT.Writer writer = new RedisRolesIT.Writer(() -> service("db").address(), password, "w", 1);
    Thread.sleep(500);
    OperationView moved = ok(plane.moveApp(app, "dc2", "hooks"), 15);
    Thread.sleep(1000);
    writer.stop();
    print("move through the hooks", moved);
    System.out.printf("== writer: %d acknowledged SETs, longest stretch without one %d ms%n", writer.acked.get(),
        writer.longestGapMs());
    assertTrue(moved.steps().stream().anyMatch(st -> st.name().endsWith("-db-1: data handed over")
        && st.detail().contains("on both sides")), moved.steps().toString());

    assertEquals("dc2", plane.app(app).datacenter());
    db = service("db");
    assertTrue(inPool(db.address(), "10.78.0"), db.address());
    for (ServiceView s : plane.app(app).services()) {
      for (MemberView m : s.members()) {
        assertEquals("lxd2", m.host(), m.toString());
        assertEquals("running", m.state(), m.toString());
      }
    }
    assertEquals(2000, Resp.existing(db.address(), password, "k", 2000), "every write from before the move");
    assertTrue(writer.acked.get() > 0, "the client wrote during the move");
    assertEquals(writer.acked.get(), Resp.existing(db.address(), password, "w", writer.acked.get()),
        "every write acknowledged during the move");
    String page = get("http://" + service("web").members().get(0).ip() + "/");
    assertTrue(page.contains("depends on db at " + db.address() + ":6379"), page);
    assertEquals(Map.of("dc1", 0, "dc2", 3), plane.addressesInUse());
    assertTrue(ours("lxd1").isEmpty(), "nothing left at the source: " + ours("lxd1"));
  }

  @Test
  void aCopyWhoseDataDoesNotMatchIsUndoneAndTheSourceServesOn() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("db", "redis", null, null, null, null)),
        false)), 20);
    ServiceView db = service("db");
    String password = db.secrets().get("password");
    assertEquals(500, write(db.address(), password, "k", 500));
    CORRUPT.set(true);
    OperationView failed = plane.await(plane.moveApp(app, "dc2").id(), Duration.ofMinutes(15));
    print("corrupted move", failed);
    assertEquals("failure", failed.status());
    assertTrue(failed.error().contains(db.members().get(0).name()) && failed.error().contains("does not match"),
        failed.error());
    AppView a = plane.app(app);
    assertEquals("dc1", a.datacenter());
    assertEquals(db.address(), service("db").address());
    assertEquals("lxd1", service("db").members().get(0).host());
    assertEquals("running", service("db").members().get(0).state());
    assertEquals(500, Resp.existing(db.address(), password, "k", 500), "the source serves its data again");
    assertTrue(Resp.set(db.address(), password, "after", "1"), "and takes writes");
    assertEquals(Map.of("dc1", 2, "dc2", 0), plane.addressesInUse(), "the target's addresses are released");
    assertTrue(lxd2Containers().isEmpty(), "the copy is gone");
    assertEquals("ready", service("db").state());
  }

  /**
   * The target fills up mid-copy: lxd2's pool enforces the member's root size (busybox: 64 MiB) and the member
   * holds more than that on lxd1, whose {@code dir} pool cannot enforce it (the test writes the 96 MiB itself).
   */
  @Test
  void aTargetThatFillsUpMidCopyUndoesTheMoveAndTheSourceServesOn() throws Exception {
    assumeTrue(System.getenv("CADRE_LXD2_POOL") != null, "lxd2's pool does not enforce sizes (scripts/lxd-hosts env)");
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("web", "busybox", null, 1, null, null)),
        false)), 5);
    MemberView m = plane.app(app).services().get(0).members().get(0);
    try (HostDriver lxd1 = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + LxdControlPlaneIT.SOCKET,
        Map.of(), dir.resolve("data/drivers"))) {
      ExecResult big = lxd1.exec(m.name(), ExecRequest.of("dd", "if=/dev/urandom", "of=/big", "bs=1M", "count=96"));
      assertEquals(0, big.exitCode(), big.stderrText());
    }
    OperationView failed = plane.await(plane.moveApp(app, "dc2").id(), Duration.ofMinutes(10));
    print("move onto a target that fills up", failed);
    assertEquals("failure", failed.status());
    assertTrue(failed.error().contains("undone"), failed.error());
    assertTrue(failed.steps().stream().anyMatch(st -> st.detail() != null && (st.detail().contains("quota")
        || st.detail().contains("No space left"))), "the reason is the target's room: " + failed.steps());
    assertEquals("dc1", plane.app(app).datacenter());
    MemberView back = plane.app(app).services().get(0).members().get(0);
    assertEquals("lxd1", back.host());
    assertEquals(m.ip(), back.ip());
    assertEquals("running", back.state());
    assertTrue(get("http://" + m.ip() + "/").contains(m.name()), "the source serves on");
    assertEquals(Map.of("dc1", 1, "dc2", 0), plane.addressesInUse(), "no address leaked");
    assertTrue(lxd2Containers().isEmpty(), "no copy left on lxd2: " + lxd2Containers());
  }

  @Test
  void aCancelledMoveIsUndone() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("web", "busybox", null, 2, null, null)),
        false)), 10);
    List<String> ips = service("web").members().stream().map(MemberView::ip).toList();
    OperationView started = plane.moveApp(app, "dc2");
    assertThrows(ConflictException.class, () -> plane.moveApp(app, "dc2"), "one move at a time");
    assertThrows(ConflictException.class, () -> plane.deleteApp(app), "no delete while moving");
    plane.cancel(started.id());
    OperationView end = plane.await(started.id(), Duration.ofMinutes(10));
    print("cancelled move", end);
    assertEquals("cancelled", end.status(), end.error());
    assertEquals("dc1", plane.app(app).datacenter());
    assertEquals(ips, service("web").members().stream().map(MemberView::ip).toList());
    for (MemberView m : service("web").members()) {
      assertEquals("running", m.state());
      assertTrue(get("http://" + m.ip() + "/").contains(m.name()));
    }
    assertEquals(Map.of("dc1", 2, "dc2", 0), plane.addressesInUse());
    assertTrue(lxd2Containers().isEmpty());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"stop", "configure"})
  void aServerKilledMidMoveUndoesItOnRestart(String hangIn) throws Exception {
    Path data = dir.resolve("data");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.lang.Process.launchMechanism=VFORK", "-cp", System.getProperty("java.class.path"),
        MoveCrashTarget.class.getName(), data.toString(), app, "2", hangIn);
    pb.redirectError(dir.resolve("target.err").toFile());
    Process target = pb.start();
    String ready;
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(target.getInputStream(),
          StandardCharsets.UTF_8));
      ready = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(8, java.util.concurrent.TimeUnit.MINUTES);
    } finally {
      target.destroyForcibly(); // SIGKILL mid-move
      target.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    String[] words = ready == null ? new String[0] : ready.split(" ");
    if (words.length != 3 || !words[0].equals("READY")) {
      plane = CadreControlPlane.open(new ControlPlaneConfig(data, null, new ArrayList<>(ServiceLoader.load(
          HostDriverFactory.class).stream().map(ServiceLoader.Provider::get).toList()), TemplateCatalog.builtIn(), null,
          null, null, null)); // so that the clean-up removes what it made
      throw new AssertionError("target said: " + ready + "; its stderr: " + Files.readString(dir.resolve("target.err")));
    }
    String opId = words[1];
    plane = CadreControlPlane.open(new ControlPlaneConfig(data, null, new ArrayList<>(ServiceLoader.load(
        HostDriverFactory.class).stream().map(ServiceLoader.Provider::get).toList()), TemplateCatalog.builtIn(), null, null,
        null, null));
    OperationView end = plane.await(opId, Duration.ofMinutes(5));
    print("move resumed after kill -9 (hung in " + hangIn + ")", end);
    assertEquals("failure", end.status(), end.error());
    assertTrue(end.error().contains("interrupted by a restart") && end.error().contains("undone"), end.error());
    AppView a = plane.app(app);
    assertEquals("dc1", a.datacenter());
    for (MemberView m : a.services().get(0).members()) {
      assertEquals("lxd1", m.host(), m.toString());
      assertTrue(inPool(m.ip(), "10.77.0"), m.ip());
      assertEquals("running", m.state(), m.toString());
      assertTrue(get("http://" + m.ip() + "/").contains(m.name()), "it serves again at its address");
    }
    assertEquals("ready", a.services().get(0).state());
    assertEquals(Map.of("dc1", 2, "dc2", 0), plane.addressesInUse(), "the target's addresses are released");
    assertTrue(lxd2Containers().isEmpty(), "no copy left: " + lxd2Containers());
  }

  @Test
  void aLinkCutMidCopyFailsTheMoveCleanlyAndTheSourceServesOn() throws Exception {
    System.setProperty("cadre.copy.stall-seconds", "10"); // read at each copy
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("db", "redis", null, null, null, null)),
        false)), 20);
    ServiceView db = service("db");
    String password = db.secrets().get("password");
    assertEquals(1000, write(db.address(), password, "k", 1000));
    RedisRolesIT.Writer writer = new RedisRolesIT.Writer(() -> service("db").address(), password, "w", 1);
    OperationView started = plane.moveApp(app, "dc2");
    OperationView end;
    try {
      Thread.sleep(1500); // the pre-copy of the container's file system is under way
      cut(true);
      end = plane.await(started.id(), Duration.ofMinutes(8));
    } finally {
      cut(false);
      System.clearProperty("cadre.copy.stall-seconds");
    }
    writer.stop();
    print("move over a cut link", end);
    System.out.printf("== writer: %d acknowledged SETs, longest stretch without one %d ms%n", writer.acked.get(),
        writer.longestGapMs());
    assertEquals("failure", end.status(), end.error());
    assertTrue(end.steps().stream().anyMatch(st -> st.detail() != null && st.detail().contains("trying again")),
        "the copy was tried again: " + end.steps());
    assertEquals("dc1", plane.app(app).datacenter());
    assertEquals("lxd1", service("db").members().get(0).host());
    assertEquals("running", service("db").members().get(0).state());
    assertEquals(db.address(), service("db").address());
    // the source was never stopped (a move stops it only once the pre-copy is done); the bound on the gap
    // leaves room for a busy disk on a small machine (the copy reads it while redis fsyncs its log)
    assertTrue(end.steps().stream().noneMatch(st -> st.name().endsWith(": stopped")), "the source was never stopped: "
        + end.steps());
    assertTrue(writer.longestGapMs() < 15_000, "the source served throughout: " + writer.longestGapMs() + " ms");
    assertEquals(1000, Resp.existing(db.address(), password, "k", 1000));
    assertEquals(writer.acked.get(), Resp.existing(db.address(), password, "w", writer.acked.get()));
    assertEquals(Map.of("dc1", 2, "dc2", 0), plane.addressesInUse(), "no address leaked");
    // what the undo could not remove while the link was down goes with the sweep once lxd2 answers
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!lxd2Containers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
    }
    assertTrue(lxd2Containers().isEmpty(), "no copy left on lxd2: " + lxd2Containers());
  }

  /**
   * Cuts (or mends) the link to dc2 by dropping every packet this machine sends into it. Not by taking the
   * veth down: its routes would go with it and the packets to dc2 would leave by the default route.
   */
  /** Opens the plane and makes the app: a redis {@code db} holding 2000 keys {@code k:*}, a {@code web} that depends on it. */
  private ServiceView dbAndWeb() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(
        new ServiceRequest("db", "redis", null, null, null, null),
        new ServiceRequest("web", "busybox", null, 1, null, List.of("db"))), false)), 20);
    ServiceView db = service("db");
    assertEquals(2000, write(db.address(), db.secrets().get("password"), "k", 2000));
    return db;
  }

  private static void cut(boolean on) throws Exception {
    String rules = on ? "table inet cadre_cut_test {\n chain outgoing { type filter hook output priority 0; oifname"
        + " \"cadre-veth0\" drop; }\n chain forwarded { type filter hook forward priority 0; oifname \"cadre-veth0\" drop; }\n}\n"
        : "delete table inet cadre_cut_test\n";
    Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
    p.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "nft: " + out);
  }

  // ---- fixture

  private void open() throws IOException {
    List<HostDriverFactory> factories = new ArrayList<>(ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList());
    factories.replaceAll(f -> f.kind().equals("lxd") ? new Corrupting(f) : f);
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
    assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET,
        "dc1", LxdControlPlaneIT.NETWORK, null)).status());
    String trust = Files.readString(SecondDatacenterIT.TRUST).strip();
    assertEquals("success", plane.registerHost(new HostRequest("lxd2", "lxd", SecondDatacenterIT.HTTPS, "dc2",
        SecondDatacenterIT.NETWORK, trust)).status());
  }

  private ServiceView service(String name) {
    return plane.app(app).services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private OperationView ok(OperationView started, int minutes) throws InterruptedException {
    OperationView end = plane.await(started.id(), Duration.ofMinutes(minutes));
    assertEquals("success", end.status(), end.kind() + ": " + end.error() + "\n" + end.steps());
    return end;
  }

  private static void print(String what, OperationView op) {
    System.out.println("== " + what + " (" + Duration.between(op.created(), op.updated()).toMillis() + " ms)");
    op.steps().forEach(st -> System.out.println("  " + st.at() + " " + st.name() + " " + st.status() + " " + st.detail()));
  }

  private List<String> lxd2Containers() {
    return ours("lxd2");
  }

  private List<String> ours(String host) {
    String storeId = plane.store().storeId();
    try (HostDriver d = new dev.cadre.lxd.LxdDriverFactory().open(host,
        host.equals("lxd1") ? "unix://" + LxdControlPlaneIT.SOCKET : SecondDatacenterIT.HTTPS, Map.of(),
        dir.resolve("data/drivers"))) {
      return d.list().stream().filter(i -> storeId.equals(i.metadata().get(Containers.STORE))).map(Instance::name)
          .toList();
    }
  }

  private static boolean inPool(String ip, String net) {
    int a = Subnet.toInt(ip);
    return a >= Subnet.toInt(net + ".128") && a <= Subnet.toInt(net + ".254");
  }

  private static long write(String address, String password, String prefix, int n) throws IOException {
    long acked = 0;
    try (Resp r = new Resp(address, password)) {
      for (int i = 0; i < n; i++) {
        if ("OK".equals(r.call("SET", prefix + ":" + i, "v" + i))) {
          acked++;
        }
      }
    }
    return acked;
  }

  private static String get(String url) throws Exception {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; ; i++) {
      try {
        return c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        if (i >= 20) {
          throw e;
        }
        Thread.sleep(250);
      }
    }
  }

  /**
   * The real LXD driver, except that while {@link #CORRUPT} is set the next container started on lxd2 (a
   * move's copy, after its last refresh) gets a file more in its data directory first.
   */
  static final class Corrupting implements HostDriverFactory {
    private static final Map<Object, HostDriver> REAL = java.util.Collections.synchronizedMap(
        new java.util.IdentityHashMap<>());
    private final HostDriverFactory real;

    Corrupting(HostDriverFactory real) {
      this.real = real;
    }

    @Override
    public String kind() {
      return real.kind();
    }

    @Override
    public HostDriver open(String host, String endpoint, Map<String, String> options, Path stateDir) {
      HostDriver d = real.open(host, endpoint, options, stateDir);
      HostDriver wrapped = (HostDriver) java.lang.reflect.Proxy.newProxyInstance(HostDriver.class.getClassLoader(),
          new Class<?>[] {HostDriver.class}, (proxy, method, args) -> {
            if (method.getName().equals("copyTo")) {
              args = args.clone(); // with its progress listener, when it has one
              args[0] = REAL.getOrDefault(args[0], (HostDriver) args[0]);
            }
            if (method.getName().equals("start") && host.equals("lxd2") && CORRUPT.getAndSet(false)) {
              // the copy starts only once its last refresh landed: corrupt it just before
              d.pushFile((String) args[0], FileSpec.of("/var/lib/redis/cadre-corrupted",
                  "not from the source".getBytes(StandardCharsets.UTF_8), 0600));
            }
            try {
              return method.invoke(d, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      REAL.put(wrapped, d);
      return wrapped;
    }
  }
}

package dev.cadre.manager;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.ImageSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A control plane over fake hosts and scripted hooks, on an in-memory database (or a file one for the ITs). */
final class Fixture implements AutoCloseable {
  static final Tuning FAST = new Tuning(16, Duration.ofSeconds(10), Duration.ofSeconds(5), 3, Duration.ofMillis(10),
      Duration.ofHours(1), 16, 8, Duration.ofSeconds(5), Duration.ofSeconds(2));

  final FakeFactory factory = new FakeFactory();
  final ScriptedHooks hooks = new ScriptedHooks();
  final Path dataDir;
  final String jdbcUrl;
  Tuning tuning = FAST;
  CadreControlPlane plane;

  Fixture(Path dataDir, boolean fileDatabase) {
    this(dataDir, fileDatabase ? null : "jdbc:h2:mem:cadre-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
  }

  /** On the store at {@code jdbcUrl} (credentials in the URL), null for the embedded file. */
  Fixture(Path dataDir, String jdbcUrl) {
    this.dataDir = dataDir;
    this.jdbcUrl = jdbcUrl;
  }

  ControlPlaneConfig config() {
    return new ControlPlaneConfig(dataDir, jdbcUrl, List.of(factory), null,
        t -> new ImageSource(t.imageAlias(), dataDir.resolve("no-tarball")), hooks, null, tuning);
  }

  CadreControlPlane open() {
    plane = CadreControlPlane.open(config());
    return plane;
  }

  FakeHostDriver host(String name, String cidr) {
    return factory.add(name, cidr);
  }

  OperationView register(String name, String datacenter) {
    return plane.registerHost(new HostRequest(name, "fake", "fake://" + name, datacenter, "net0", null));
  }

  static AppRequest app(String name, String datacenter, ServiceRequest... services) {
    return new AppRequest(name, datacenter, List.of(services), false);
  }

  static ServiceRequest busybox(String name, int count) {
    return new ServiceRequest(name, "busybox", null, count, Map.of("greeting", "hello"));
  }

  OperationView done(OperationView op) throws InterruptedException {
    OperationView end = plane.await(op.id(), Duration.ofSeconds(30));
    if (!end.done()) {
      throw new AssertionError("operation did not finish: " + end);
    }
    return end;
  }

  @Override
  public void close() {
    hooks.release.countDown();
    factory.unhang.countDown();
    if (plane != null) {
      plane.close();
    }
  }
}

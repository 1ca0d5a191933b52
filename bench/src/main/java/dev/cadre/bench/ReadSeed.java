package dev.cadre.bench;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Fills a data dir's embedded store with one app of {@code MEMBERS} running members (100 per service)
 * on a host nobody can reach, so that {@code GET /v1/apps/big} reads a large app without LXD holding
 * a thousand containers. Writes through the store interface the server itself uses.
 *
 * <p>Usage: {@code ReadSeed DATA_DIR MEMBERS}
 */
public final class ReadSeed {
  static final String APP = "big";

  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    int members = Integer.parseInt(args[1]);
    try (JdbcStore store = JdbcStore.embedded(dataDir, 2)) {
      seed(store, members);
    }
    System.out.println("seeded app '" + APP + "' with " + members + " members in " + (members + 99) / 100 + " services");
  }

  /** The app {@link #APP}: {@code members} running members, 100 per service, on one unreachable host. */
  static void seed(Store store, int members) {
    Instant now = Instant.now();
    DatacenterRecord dc = new DatacenterRecord("bench", "10.200.0.0/16", "10.200.0.1", "10.200.128.0", "10.200.255.254", now);
    HostRecord host = new HostRecord("ghost", "lxd", "unix:///run/cadre-bench-nobody.socket", "bench", "cadrebr9",
        HostState.UNREACHABLE, 64, 256L << 30, 0, 1L << 40, 0, "seeded for the read benchmark", now);
    store.registerHost(dc, host, operation(OperationKind.REGISTER_HOST, "hosts/ghost", now));
    OperationRecord create = operation(OperationKind.CREATE_APP, "apps/" + APP, now);
    List<ServiceRecord> services = new ArrayList<>();
    List<MemberRecord> rows = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      String service = "svc" + (i / 100 + 1);
      if (i % 100 == 0) {
        services.add(new ServiceRecord(APP, service, "busybox", "single", Map.of(), Map.of(), ServiceState.READY));
      }
      String ip = "10.200." + (128 + i / 254) + "." + (1 + i % 254);
      String name = APP + "-" + service + "-" + (i % 100 + 1);
      rows.add(new MemberRecord(name, APP, service, i % 100 + 1, "primary", "ghost", ip, MemberState.RUNNING, null, 1, 64, 64,
          create.id()));
    }
    store.createApp(new AppRecord(APP, "bench", AppState.RUNNING, false, now), services, rows, create);
    for (MemberRecord m : rows) {
      store.tryAllocate("bench", m.ip(), m.name(), now);
    }
  }

  private static OperationRecord operation(OperationKind kind, String target, Instant at) {
    return new OperationRecord(UUID.randomUUID().toString(), kind, target, null, OperationStatus.SUCCESS, 100, null, at, at);
  }
}

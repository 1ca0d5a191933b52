package dev.cadre.bench;

import dev.cadre.api.ApiServer;
import dev.cadre.api.auth.AdminToken;
import dev.cadre.driver.ImageSource;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code cadre serve} starts (the real control plane with its store, and the REST server on it), over
 * {@link FakeHosts} and {@link InstantHooks} instead of LXD and the agent, with the default tuning. In-process
 * for bench/scale; {@link #main} runs it as a process of its own for bench/run-placement.
 */
final class BenchServer implements AutoCloseable {
  final CadreControlPlane plane;
  final ApiServer api;
  final String token;

  private BenchServer(CadreControlPlane plane, ApiServer api, String token) {
    this.plane = plane;
    this.api = api;
    this.token = token;
  }

  /** {@code jdbcUrl} null: the embedded store in {@code dataDir}, as {@code cadre serve} opens it. */
  static BenchServer start(Path dataDir, String jdbcUrl, FakeHosts hosts) throws IOException {
    Files.createDirectories(dataDir);
    AdminToken token = AdminToken.loadOrCreate(dataDir);
    ControlPlaneConfig config = new ControlPlaneConfig(dataDir, jdbcUrl, List.of(hosts), null,
        t -> new ImageSource(t.imageAlias(), dataDir.resolve("no-tarball")), new InstantHooks(), null, null);
    CadreControlPlane plane = CadreControlPlane.open(config);
    try {
      ApiServer api = ApiServer.start(plane, token, "127.0.0.1", 0);
      return new BenchServer(plane, api, Files.readString(token.tokenFile(), StandardCharsets.US_ASCII).trim());
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
  }

  ApiClient client() {
    return new ApiClient("http://127.0.0.1:" + api.port(), token);
  }

  @Override
  public void close() {
    try {
      api.close();
    } finally {
      plane.close();
    }
  }

  /**
   * {@code BenchServer DATA_DIR JDBC_URL HOSTS DATACENTERS}: prints {@code listening PORT TOKEN} once it answers,
   * and stops when its standard input ends (the bench that started it closed it, or died).
   */
  public static void main(String[] args) throws Exception {
    FakeHosts hosts = new FakeHosts(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    try (BenchServer server = start(Path.of(args[0]), args[1], hosts)) {
      System.out.println("listening " + server.api.port() + " " + server.token);
      System.out.flush();
      while (System.in.read() >= 0) {
        // nothing is said on stdin; its end is the stop
      }
    }
  }
}

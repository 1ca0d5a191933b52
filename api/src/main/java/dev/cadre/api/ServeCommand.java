package dev.cadre.api;

import dev.cadre.api.auth.AdminToken;
import dev.cadre.api.tls.ServerCertificate;
import dev.cadre.cli.CliException;
import dev.cadre.cli.ExitCodes;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.hosts.HostEndpoints;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Run the cadre server (REST API and control plane).")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "where state, the embedded store and the admin token live (default: $CADRE_DATA_DIR, else ./.cadre)")
  Path dataDir;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7440",
      description = "address to listen on (default ${DEFAULT-VALUE}; port 0 picks a free one)")
  String listen;

  @Option(names = "--store", paramLabel = "JDBC_URL",
      description = "state store (default: the embedded database inside the data dir)")
  String store;

  @Option(names = "--backup-dir", paramLabel = "DIR",
      description = "where backups of services' data are kept (default: DATA_DIR/backups; servers sharing a store"
          + " need a directory they all see)")
  Path backupDir;

  @Option(names = "--allow-unix-dir", paramLabel = "DIR",
      description = "a directory whose unix sockets may be registered as LXD hosts (repeatable; default: /var/lib/lxd"
          + " and /var/snap/lxd/common/lxd). API callers cannot name sockets elsewhere.")
  List<Path> unixDirs;

  @Option(names = "--allow-local-zones",
      description = "let API callers register local:// zone hosts (the zones of this machine); off by default")
  boolean localZones;

  @Option(names = "--tls", description = "serve HTTPS also on a loopback address (beyond loopback it is always HTTPS"
      + " unless --plain-http)")
  boolean tls;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "the server certificate (PEM, may hold its chain); default: DATA_DIR/server.crt, self-signed on first start")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "the certificate's private key (PEM, unencrypted)")
  Path tlsKey;

  @Option(names = "--plain-http", description = "plain HTTP beyond loopback (only behind a proxy that does TLS)")
  boolean plainHttp;

  @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "1MiB",
      description = "largest request body taken, e.g. 512KiB, 4MiB (default ${DEFAULT-VALUE}); larger ones get 413")
  String maxBody;

  @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "7d",
      description = "how long events and finished operations are kept, e.g. 12h, 30d (default ${DEFAULT-VALUE})")
  String retention;

  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile Running running;

  /** What a started server is made of; {@link #stop()} ends {@link #call()}. */
  public record Running(ApiServer api, ControlPlane plane, AdminToken token, Path dataDir) {}

  @Override
  public Integer call() throws Exception {
    Running r = start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "cadre-shutdown"));
    stop.await();
    return ExitCodes.OK;
  }

  /** Starts everything and answers without blocking (tests and {@link #call()} use it). */
  public Running start() {
    Path dir = resolveDataDir();
    Listen address = Listen.parse(listen);
    DataDir.prepare(dir);
    long maxBodyBytes = Sizes.parse(maxBody, "--max-body", Sizes.MIN_BODY, Sizes.MAX_BODY);
    java.time.Duration keep = Sizes.duration(retention, "--retention");
    ServerCertificate certificate = certificate(address, dir);
    AdminToken token = AdminToken.loadOrCreate(dir);
    ControlPlane plane = ControlPlanes.open(dir, store, backupDir, keep,
        new HostEndpoints(unixDirs == null || unixDirs.isEmpty() ? HostEndpoints.DEFAULT_UNIX_DIRS : unixDirs, localZones));
    try {
      DataDir.tightenDatabase(dir);
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
    ApiServer api;
    try {
      api = ApiServer.start(plane, token, new ApiServer.Options(address.host(), address.port(), certificate, maxBodyBytes));
    } catch (RuntimeException e) {
      plane.close();
      throw new CliException(ExitCodes.FAILED, "cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    String scheme = certificate == null ? "http" : "https";
    log.info("cadre listening on {}://{}:{} (data dir {})", scheme, Listen.urlHost(address.host()), api.port(),
        dir.toAbsolutePath());
    if (certificate != null) {
      log.info("TLS certificate{} fingerprint (SHA-256): {}; clients pin it with CADRE_FINGERPRINT",
          certificate.created() ? " (self-signed, written to " + dir.resolve(ServerCertificate.CERT_FILE).toAbsolutePath()
              + ")" : "", certificate.fingerprint());
    }
    log.info("admin token {} {} (mode 0600); send it as 'Authorization: Bearer TOKEN'",
        token.created() ? "written to" : "is in", token.tokenFile().toAbsolutePath());
    running = new Running(api, plane, token, dir);
    return running;
  }

  /** Null for plain HTTP; refuses plain HTTP beyond loopback unless asked for, and any half-given TLS setup. */
  ServerCertificate certificate(Listen address, Path dir) {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CliException(ExitCodes.USAGE, "--tls-cert and --tls-key go together");
    }
    boolean wantsTls = tls || tlsCert != null;
    if (plainHttp && wantsTls) {
      throw new CliException(ExitCodes.USAGE, "--plain-http cannot be combined with --tls, --tls-cert or --tls-key");
    }
    if (plainHttp || (!wantsTls && address.loopback())) {
      return null;
    }
    try {
      return tlsCert != null ? ServerCertificate.fromPem(tlsCert, tlsKey)
          : ServerCertificate.loadOrCreate(dir, ServerCertificate.namesFor(address.host()));
    } catch (ServerCertificate.TlsException e) {
      throw new CliException(ExitCodes.FAILED, "cannot set up TLS for --listen " + listen + ": " + e.getMessage()
          + (address.loopback() ? "" : "; a listen address beyond loopback needs TLS (--tls-cert/--tls-key, or a"
          + " writable data dir for a self-signed certificate), or --plain-http behind a proxy that does TLS"), e);
    }
  }

  public void stop() {
    Running r = running;
    running = null;
    if (r != null) {
      try {
        r.api().close();
      } finally {
        r.plane().close();
      }
    }
    stop.countDown();
  }

  private Path resolveDataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    String env = System.getenv("CADRE_DATA_DIR");
    return env == null || env.isEmpty() ? Path.of(".cadre") : Path.of(env);
  }

  record Listen(String host, int port) {
    static Listen parse(String value) {
      int colon = value.lastIndexOf(':');
      if (colon <= 0 || colon == value.length() - 1) {
        throw new CliException(ExitCodes.USAGE, "--listen must be HOST:PORT, got '" + value + "'");
      }
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw new CliException(ExitCodes.USAGE, "--listen port must be 0-65535, got '" + value + "'");
      }
      return new Listen(host, port);
    }

    /** 127.0.0.0/8, ::1 and localhost; any other name or address counts as reachable from elsewhere. */
    boolean loopback() {
      if (host.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (host.matches("[0-9.]+") || host.contains(":")) {
        try {
          return java.net.InetAddress.getByName(host).isLoopbackAddress(); // a literal: no name lookup
        } catch (java.net.UnknownHostException e) {
          return false;
        }
      }
      return false;
    }

    static String urlHost(String host) {
      return host.contains(":") ? "[" + host + "]" : host;
    }
  }
}

package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.EventView;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.HostView;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's certificate is pinned at registration: the endpoint (a TCP relay on this machine) leads to the real
 * LXD host 2, then to host 3, a real LXD server with a certificate of its own, as if another server had taken
 * the address. The host becomes untrusted, stays so across a restart of the plane, refuses a trust with a
 * fingerprint it does not present, and is ready again once the new certificate is trusted.
 */
class HostPinningIT {
  static final String HTTPS_2 = SecondDatacenterIT.HTTPS;
  static final String HTTPS_3 = DrainIT.HTTPS_3;

  @TempDir
  Path dir;
  CadreControlPlane plane;
  Relay relay;

  @AfterEach
  void close() throws Exception {
    if (plane != null) {
      try {
        plane.removeHost("pinned");
      } catch (RuntimeException ignored) {
        // not registered
      }
      plane.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  private CadreControlPlane open() {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    return CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
  }

  @Test
  void aChangedCertificateMakesTheHostUntrustedUntilAnAdminTrustsIt() throws Exception {
    assumeTrue(HTTPS_3 != null && !HTTPS_3.isBlank(), "no CADRE_LXD3_HTTPS: scripts/lxd-hosts env names no third host");
    String trust = Files.readString(DrainIT.TRUST).strip();
    String lxd2 = fingerprint(Path.of(LxdControlPlaneIT.env("CADRE_LXD2_DIR", "/var/lib/cadre-lxd2"), "server.crt"));
    String lxd3 = fingerprint(Path.of(LxdControlPlaneIT.env("CADRE_LXD3_DIR", "/var/lib/cadre-lxd3"), "server.crt"));
    assertNotEquals(lxd2, lxd3);
    relay = new Relay(address(HTTPS_2));
    String endpoint = "https://127.0.0.1:" + relay.port();

    plane = open();
    List<EventView> events = new CopyOnWriteArrayList<>();
    plane.subscribe(events::add);
    assertEquals("success", plane.registerHost(new HostRequest("pinned", "lxd", endpoint, "dc2",
        SecondDatacenterIT.NETWORK, trust)).status());
    HostView h = plane.host("pinned");
    assertEquals(lxd2, h.fingerprint(), "registration pins the certificate host 2 presented");
    assertEquals(lxd2, plane.hosts().stream().filter(x -> x.name().equals("pinned")).findFirst().orElseThrow()
        .fingerprint(), "the list shows the pin too");
    plane.probeHosts();
    assertEquals("ready", plane.host("pinned").state());

    // another server answers at the endpoint
    relay.target(address(HTTPS_3));
    plane.probeHosts();
    h = plane.host("pinned");
    assertEquals("untrusted", h.state(), String.valueOf(h.lastError()));
    assertTrue(h.lastError().contains(lxd3) && h.lastError().contains(lxd2), h.lastError());
    // subscribers are told on the event bus's own thread: give it a moment
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
    while (events.stream().noneMatch(e -> e.type().equals("host") && "untrusted".equals(e.data().get("state")))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(events.stream().anyMatch(e -> e.type().equals("host") && "untrusted".equals(e.data().get("state"))),
        "an event tells of it: " + events);
    assertEquals(lxd2, h.fingerprint(), "the pin does not move by itself");

    // a restart believes nobody new either
    plane.close();
    plane = open();
    plane.probeHosts();
    assertEquals("untrusted", plane.host("pinned").state());

    // the old server answering again does not lift it: only an admin does
    relay.target(address(HTTPS_2));
    plane.probeHosts();
    assertEquals("untrusted", plane.host("pinned").state());
    relay.target(address(HTTPS_3));

    String wrong = "ab".repeat(32);
    assertThrows(UnauthorizedException.class, () -> plane.trustHost("pinned", wrong, trust),
        "a fingerprint the host does not present is refused");
    assertThrows(InvalidInputException.class, () -> plane.trustHost("pinned", "not-a-fingerprint", null));
    assertEquals("untrusted", plane.host("pinned").state());
    assertEquals(lxd2, plane.host("pinned").fingerprint(), "a refused trust changes nothing");

    assertEquals("success", plane.trustHost("pinned", lxd3, trust).status());
    h = plane.host("pinned");
    assertEquals("ready", h.state());
    assertEquals(lxd3, h.fingerprint());
    plane.probeHosts();
    assertEquals("ready", plane.host("pinned").state(), "the newly pinned server answers probes");
  }

  static String fingerprint(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }
  }

  static InetSocketAddress address(String https) {
    URI u = URI.create(https);
    return new InetSocketAddress(u.getHost(), u.getPort() > 0 ? u.getPort() : 8443);
  }

  /** A TCP relay on loopback to a target that can change; a change cuts every open connection. */
  static final class Relay implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    private final AtomicReference<InetSocketAddress> target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    Relay(InetSocketAddress first) throws IOException {
      target = new AtomicReference<>(first);
      acceptor = new Thread(this::accept, "relay");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    void target(InetSocketAddress next) {
      target.set(next);
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket in = server.accept();
          Socket out = new Socket();
          out.connect(target.get(), 5000);
          open.add(in);
          open.add(out);
          pipe(in, out);
          pipe(out, in);
        } catch (IOException e) {
          if (server.isClosed()) {
            return;
          }
        }
      }
    }

    private void pipe(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16384];
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
          for (int n; (n = i.read(buf)) > 0; ) {
            o.write(buf, 0, n);
          }
        } catch (IOException ignored) {
          // one side closed
        } finally {
          open.remove(from);
          try {
            from.close();
            to.close();
          } catch (IOException ignored) {
            // closing
          }
        }
      }, "relay-pipe");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      target(target.get());
    }
  }
}

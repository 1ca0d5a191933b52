package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.api.tls.ServerCertificate;
import dev.cadre.cli.CliException;
import dev.cadre.cli.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cadre serve} forced into TLS on loopback: the real server, the real control plane on the embedded store. */
class TlsServeTest {
  @TempDir Path dir;

  private ServeCommand serve(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A client that trusts the server's certificate as its only CA (host name checked against its SAN). */
  private static HttpClient trusting(Path certFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certFile)) {
      trust.setCertificateEntry("cadre", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static CliAgainstServerTest.Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new CliAgainstServerTest.Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void loopbackForcedIntoTlsServesOnlyHttpsWithASelfSignedCertificateKeptInTheDataDir() throws Exception {
    ServeCommand serve = serve("--data-dir", dir.toString(), "--listen", "127.0.0.1:0", "--tls");
    ServeCommand.Running running = serve.start();
    String fingerprint;
    try {
      int port = running.api().port();
      Path crt = dir.resolve(ServerCertificate.CERT_FILE);
      Path key = dir.resolve(ServerCertificate.KEY_FILE);
      assertTrue(Files.exists(crt));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

      HttpResponse<String> ok = get(trusting(crt), "https://127.0.0.1:" + port + "/healthz");
      assertEquals(200, ok.statusCode(), ok.body());

      // plain HTTP on the TLS port gets no answer
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      assertThrows(IOException.class, () -> get(plain, "http://127.0.0.1:" + port + "/healthz"));
      // a client that does not trust the certificate fails the handshake
      assertThrows(javax.net.ssl.SSLException.class, () -> get(plain, "https://127.0.0.1:" + port + "/healthz"));

      // the CLI pins the fingerprint
      fingerprint = ServerCertificate.fingerprint(CertificateFactory.getInstance("X.509")
          .generateCertificate(Files.newInputStream(crt)));
      String token = Files.readString(dir.resolve("admin-token")).trim();
      String url = "https://127.0.0.1:" + port;
      CliAgainstServerTest.Run pinned = cli("hosts", "--url", url, "--token", token, "--fingerprint", fingerprint);
      assertEquals(0, pinned.exit(), pinned.err());
      CliAgainstServerTest.Run wrong = cli("hosts", "--url", url, "--token", token, "--fingerprint", "ab".repeat(32));
      assertEquals(ExitCodes.UNREACHABLE, wrong.exit(), wrong.out());
      assertTrue(wrong.err().contains("fingerprint"), wrong.err());
      CliAgainstServerTest.Run unpinned = cli("hosts", "--url", url, "--token", token);
      assertEquals(ExitCodes.UNREACHABLE, unpinned.exit(), unpinned.out());
      assertTrue(unpinned.err().contains("CADRE_FINGERPRINT"), unpinned.err());
      CliAgainstServerTest.Run malformed = cli("hosts", "--url", url, "--token", token, "--fingerprint", "xyz");
      assertEquals(ExitCodes.USAGE, malformed.exit(), malformed.err());
    } finally {
      serve.stop();
    }

    // the second start reuses the certificate
    ServeCommand again = serve("--data-dir", dir.toString(), "--listen", "127.0.0.1:0", "--tls");
    ServeCommand.Running second = again.start();
    try {
      HttpResponse<String> ok = get(trusting(dir.resolve(ServerCertificate.CERT_FILE)),
          "https://127.0.0.1:" + second.api().port() + "/healthz");
      assertEquals(200, ok.statusCode());
      assertEquals(fingerprint, ServerCertificate.loadOrCreate(dir, java.util.List.of()).fingerprint());
    } finally {
      again.stop();
    }
  }

  @Test
  void operatorsPemFilesAreServed(@TempDir Path other) throws Exception {
    ServerCertificate made = ServerCertificate.loadOrCreate(other, ServerCertificate.namesFor("127.0.0.1"));
    ServeCommand serve = serve("--data-dir", dir.toString(), "--listen", "127.0.0.1:0",
        "--tls-cert", other.resolve("server.crt").toString(), "--tls-key", other.resolve("server.key").toString());
    ServeCommand.Running running = serve.start();
    try {
      HttpResponse<String> ok = get(trusting(other.resolve("server.crt")), "https://127.0.0.1:" + running.api().port() + "/healthz");
      assertEquals(200, ok.statusCode());
      assertFalse(Files.exists(dir.resolve(ServerCertificate.CERT_FILE)), "no self-signed certificate when one is given");
    } finally {
      serve.stop();
    }
    assertTrue(made.created());
  }

  @Test
  void plainHttpStaysOnlyOnLoopbackOrWhenAskedFor() {
    ServeCommand.Listen loopback = ServeCommand.Listen.parse("127.0.0.1:7440");
    ServeCommand.Listen everywhere = ServeCommand.Listen.parse("0.0.0.0:7440");
    assertTrue(loopback.loopback());
    assertTrue(ServeCommand.Listen.parse("[::1]:7440").loopback());
    assertTrue(ServeCommand.Listen.parse("localhost:7440").loopback());
    assertFalse(everywhere.loopback());
    assertFalse(ServeCommand.Listen.parse("10.0.0.5:7440").loopback());
    assertFalse(ServeCommand.Listen.parse("cadre.example:7440").loopback());

    assertNull(serve().certificate(loopback, dir));
    assertNull(serve("--plain-http").certificate(everywhere, dir));
    assertTrue(serve().certificate(everywhere, dir).created(), "beyond loopback: self-signed by default");
    assertFalse(serve().certificate(everywhere, dir).created(), "and reused");
  }

  @Test
  void tlsThatCannotBeSetUpRefusesToStart() throws IOException {
    ServeCommand.Listen everywhere = ServeCommand.Listen.parse("0.0.0.0:7440");
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    CliException e = assertThrows(CliException.class, () -> serve().certificate(everywhere, notADir));
    assertEquals(ExitCodes.FAILED, e.exitCode());
    assertTrue(e.getMessage().contains("--plain-http"), e.getMessage());

    CliException missingKey = assertThrows(CliException.class,
        () -> serve("--tls-cert", "x.crt").certificate(everywhere, dir));
    assertEquals(ExitCodes.USAGE, missingKey.exitCode());
    CliException both = assertThrows(CliException.class, () -> serve("--tls", "--plain-http").certificate(everywhere, dir));
    assertEquals(ExitCodes.USAGE, both.exitCode());
    CliException unreadable = assertThrows(CliException.class, () -> serve("--tls-cert", notADir.toString(), "--tls-key",
        notADir.toString()).certificate(everywhere, dir));
    assertTrue(unreadable.getMessage().contains("cannot read the certificate"), unreadable.getMessage());
  }

  @Test
  void retentionsAreValidated() {
    assertEquals(Duration.ofHours(12), Sizes.duration("12h", "--retention"));
    assertEquals(Duration.ofDays(30), Sizes.duration("30d", "--retention"));
    for (String bad : new String[] {"", "0h", "7", "1w", "-1d", "4000d", "1.5d"}) {
      CliException e = assertThrows(CliException.class, () -> Sizes.duration(bad, "--retention"), bad);
      assertEquals(ExitCodes.USAGE, e.exitCode());
    }
  }

  @Test
  void maxBodySizesAreValidated() {
    assertEquals(1 << 20, Sizes.parse("1MiB", "--max-body", Sizes.MIN_BODY, Sizes.MAX_BODY));
    assertEquals(512 << 10, Sizes.parse("512KiB", "--max-body", Sizes.MIN_BODY, Sizes.MAX_BODY));
    assertEquals(4096, Sizes.parse("4096", "--max-body", Sizes.MIN_BODY, Sizes.MAX_BODY));
    for (String bad : new String[] {"", "1GiB", "-1", "12", "1.5MiB", "lots"}) {
      CliException e = assertThrows(CliException.class, () -> Sizes.parse(bad, "--max-body", Sizes.MIN_BODY, Sizes.MAX_BODY), bad);
      assertEquals(ExitCodes.USAGE, e.exitCode());
    }
  }
}

package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON mapping and error translation against a scripted HTTP server; the real daemon is in the ITs. */
class LxdClientTest {
  private MockWebServer server;
  private LxdClient client;
  private LxdHostDriver driver;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start();
    client = new LxdClient("mock-host", server.url("/").toString(), new OkHttpClient(), server.url("/"), null);
    driver = new LxdHostDriver(client);
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = LxdClientTest.class.getResourceAsStream("/lxd/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private void answer(int status, String body) {
    server.enqueue(new MockResponse().setResponseCode(status).setBody(body));
  }

  private static String error(int code, String message) {
    return "{\"type\":\"error\",\"status\":\"\",\"status_code\":0,\"error\":\"" + message + "\",\"error_code\":" + code + ",\"metadata\":null}";
  }

  @Test
  void statusCodesBecomeTheExceptionFamilyNamingTheHost() {
    answer(404, error(404, "Instance not found"));
    answer(409, error(409, "Name conflict"));
    answer(400, error(400, "Invalid devices"));
    answer(403, error(403, "not authorized"));
    answer(500, error(500, "Failed to start container"));
    answer(503, "<html>bad gateway</html>");
    NotFoundException nf = assertThrows(NotFoundException.class, () -> client.get("/1.0/instances/x"));
    assertEquals("mock-host", nf.host());
    assertTrue(nf.getMessage().contains("mock-host") && nf.getMessage().contains("Instance not found"), nf.getMessage());
    assertThrows(ConflictException.class, () -> client.get("/1.0/x"));
    assertThrows(InvalidInputException.class, () -> client.get("/1.0/x"));
    assertThrows(UnauthorizedException.class, () -> client.get("/1.0/x"));
    assertThrows(HostFailureException.class, () -> client.get("/1.0/x"));
    assertThrows(UnavailableException.class, () -> client.get("/1.0/x"));
  }

  @Test
  void anErrorEnvelopeOnA200IsStillAnError() {
    answer(200, error(404, "not found"));
    assertThrows(NotFoundException.class, () -> client.get("/1.0/x"));
  }

  @Test
  void aFailedOperationIsWaitedOnAndThrowsItsMessage() throws Exception {
    answer(202, fixture("async-create.json"));
    answer(200, fixture("operation-failed.json"));
    DriverException e = assertThrows(DriverException.class,
        () -> client.call("POST", "/1.0/instances", client.object(), Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("Failed creating instance record"), e.getMessage());
    server.takeRequest();
    RecordedRequest wait = server.takeRequest();
    assertEquals("/1.0/operations/6916c8a6-9b7d-4abd-90b3-aedfec7f7691/wait?timeout=5", wait.getPath());
  }

  @Test
  void aNotFoundInsideAnOperationIsNotFound() throws Exception {
    answer(202, fixture("async-create.json"));
    answer(200, fixture("operation-failed.json").replace("Failed creating instance record", "Image not found"));
    assertThrows(NotFoundException.class, () -> client.call("POST", "/1.0/instances", client.object(), Duration.ofSeconds(5)));
  }

  @Test
  void instanceStateIsMappedWithItsAddressAndMetadata() throws Exception {
    answer(200, fixture("instance.json"));
    answer(200, fixture("instance-state.json"));
    Instance i = driver.get("web-1");
    assertEquals("web-1", i.name());
    assertEquals(InstanceState.RUNNING, i.state());
    assertEquals("10.77.0.50", i.ipv4());
    assertEquals("10.77.0.50", i.configuredIpv4());
    assertEquals("cadrebr0", i.network());
    assertEquals("m1", i.metadata().get("cadre.member"));
    assertNull(i.metadata().get("limits.cpu"));
  }

  @Test
  void unknownStatusesAreUnrecognizedNotGuessed() {
    assertEquals(InstanceState.UNRECOGNIZED, LxdStates.toState("Hibernating"));
    assertEquals(InstanceState.UNRECOGNIZED, LxdStates.toState(null));
    assertEquals(InstanceState.STOPPED, LxdStates.toState("Stopped"));
  }

  @Test
  void invalidNamesAndPathsAreRefusedBeforeAnyRequest() {
    for (String bad : new String[] {"../x", "a b", "x".repeat(200), "a/b", "%2e%2e"}) {
      assertThrows(InvalidInputException.class, () -> driver.start(bad));
      assertThrows(InvalidInputException.class, () -> driver.find(bad));
      assertThrows(InvalidInputException.class, () -> driver.delete(bad));
      assertThrows(InvalidInputException.class, () -> driver.exec(bad, ExecRequest.of("true")));
      assertThrows(InvalidInputException.class, () -> driver.listSnapshots(bad));
      assertThrows(InvalidInputException.class, () -> InstanceSpec.builder(bad, "busybox").build());
    }
    assertThrows(InvalidInputException.class, () -> driver.createSnapshot("ok", "../snap"));
    assertThrows(InvalidInputException.class, () -> driver.hasImage("bad alias"));
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void badEndpointsAreInvalidInput() {
    assertThrows(InvalidInputException.class, () -> LxdClient.connect("h", "ftp://x", null, null));
    assertThrows(InvalidInputException.class, () -> LxdClient.connect("h", "https://10.0.0.1:8443", null, null));
    assertThrows(InvalidInputException.class, () -> LxdClient.connect("h", "not a uri", null, null));
  }

  @Test
  void tokensAreDecodedToTheirSecretAndPasswordsPassThrough() {
    String token = java.util.Base64.getEncoder().encodeToString(
        "{\"client_name\":\"cadre\",\"fingerprint\":\"ab\",\"addresses\":[\"10.90.0.2:8443\"],\"secret\":\"s3cr3t\"}".getBytes());
    assertEquals("s3cr3t", LxdTokens.secretOf(token));
    assertEquals("plain-password", LxdTokens.secretOf("plain-password"));
  }

  @Test
  void aClientCertificateSurvivesASaveAndLoad(@org.junit.jupiter.api.io.TempDir Path dir) {
    ClientCertificate first = ClientCertificate.loadOrCreate(dir);
    ClientCertificate again = ClientCertificate.loadOrCreate(dir);
    assertEquals(first.fingerprint(), again.fingerprint());
    assertEquals(64, first.fingerprint().length());
  }

  @Test
  void aServerCertificateOtherThanThePinnedOneIsRefused() {
    ServerTrust pinned = new ServerTrust("00".repeat(32));
    ClientCertificate other = ClientCertificate.generate("other");
    assertThrows(java.security.cert.CertificateException.class, () -> pinned.checkServerTrusted(
        new java.security.cert.X509Certificate[] {certOf(other)}, "EC"));
    ServerTrust tofu = new ServerTrust(null);
    assertInstanceOf(ServerTrust.class, tofu);
  }

  private static java.security.cert.X509Certificate certOf(ClientCertificate c) {
    try {
      return ClientCertificate.readCertificate(c.certificatePem());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostBusyException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LXD's words and transport failures become the typed faults the control plane acts on; LXD's
 * "busy" is retried inside the driver. Against a scripted HTTP server.
 */
class LxdFaultsTest {
  private static final String OP = "/1.0/operations/6916c8a6-9b7d-4abd-90b3-aedfec7f7691";
  private MockWebServer server;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private LxdClient client(OkHttpClient http) {
    return new LxdClient("mock-host", server.url("/").toString(), http, server.url("/"), null);
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = LxdFaultsTest.class.getResourceAsStream("/lxd/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String error(int code, String message) {
    return "{\"type\":\"error\",\"status\":\"\",\"status_code\":0,\"error\":\"" + message.replace("\"", "\\\"")
        + "\",\"error_code\":" + code + ",\"metadata\":null}";
  }

  private static String failedOperation(String err) throws IOException {
    return fixture("operation-failed.json").replace("Failed creating instance record: Failed initialising instance: Invalid devices",
        err.replace("\"", "\\\""));
  }

  @Test
  void anAddressOnAnotherNicIsAddressInUseWithTheAddressWhateverCarriesIt() throws IOException {
    String said = "Failed start validation for device \"eth0\": IP address \"10.77.0.5\" already defined on another NIC";
    server.enqueue(new MockResponse().setResponseCode(400).setBody(error(400, said)));
    server.enqueue(new MockResponse().setResponseCode(202).setBody(fixture("async-create.json")));
    server.enqueue(new MockResponse().setBody(failedOperation(said)));
    LxdClient client = client(new OkHttpClient());

    AddressInUseException sync = assertThrows(AddressInUseException.class, () -> client.get("/1.0/x"));
    assertEquals("10.77.0.5", sync.address());
    assertEquals("mock-host", sync.host());
    assertInstanceOf(ConflictException.class, sync, "keeps the 409 of its parent");
    AddressInUseException async = assertThrows(AddressInUseException.class,
        () -> client.call("PUT", "/1.0/instances/web-1/state", client.object(), Duration.ofSeconds(5)));
    assertEquals("10.77.0.5", async.address());
  }

  @Test
  void aMacOnAnotherNicIsAddressInUseOfTheAddressTheMacWasMadeFrom() {
    // LXD checks the MAC before the address; two NICs of one static address share its MAC
    server.enqueue(new MockResponse().setResponseCode(400).setBody(error(400,
        "Failed start validation for device \"eth0\": MAC address \"0a:63:0a:4d:00:81\" already defined on another NIC")));
    server.enqueue(new MockResponse().setResponseCode(400).setBody(error(400,
        "Failed start validation for device \"eth0\": MAC address \"00:16:3e:12:34:56\" already defined on another NIC")));
    LxdClient client = client(new OkHttpClient());
    assertEquals("10.77.0.129", assertThrows(AddressInUseException.class, () -> client.get("/1.0/x")).address());
    assertEquals(null, assertThrows(AddressInUseException.class, () -> client.get("/1.0/x")).address(),
        "a MAC LXD made up says nothing about the address");
  }

  @Test
  void busyIsHostBusyButANameWithBusyInItIsNot() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(400)
        .setBody(error(400, "Failed to create instance delete operation: Instance is busy running a \"stop\" operation")));
    server.enqueue(new MockResponse().setResponseCode(202).setBody(fixture("async-create.json")));
    server.enqueue(new MockResponse().setBody(failedOperation("Failed deleting instance: device or resource busy")));
    server.enqueue(new MockResponse().setResponseCode(404).setBody(error(404, "Image \"busybox\" not found")));
    LxdClient client = client(new OkHttpClient());

    assertThrows(HostBusyException.class, () -> client.get("/1.0/x"));
    assertThrows(HostBusyException.class, () -> client.call("DELETE", "/1.0/instances/web-1", null, Duration.ofSeconds(5)));
    assertThrows(NotFoundException.class, () -> client.get("/1.0/images/aliases/busybox"));
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersIsTimedOutWithinTheReadTimeout() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    Duration timeout = Duration.ofMillis(300);
    LxdClient client = client(new OkHttpClient.Builder().readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build());
    long t0 = System.nanoTime();
    TimedOutException e = assertThrows(TimedOutException.class, () -> client.get("/1.0"));
    long elapsed = System.nanoTime() - t0;
    assertTrue(e.getMessage().contains("mock-host"), e.getMessage());
    assertTrue(elapsed >= timeout.toNanos(), "gave up before its timeout: " + elapsed / 1_000_000 + " ms");
    // it ends at its timeout, not at some later, larger one (slack: 20 times the timeout)
    assertTrue(elapsed < timeout.toNanos() * 20, "took " + elapsed / 1_000_000 + " ms for a " + timeout + " timeout");
  }

  @Test
  void aGatewayTimeoutIsTimedOut() {
    server.enqueue(new MockResponse().setResponseCode(504).setBody("<html>gateway timeout</html>"));
    assertThrows(TimedOutException.class, () -> client(new OkHttpClient()).get("/1.0"));
  }

  @Test
  void anOperationStillRunningAtItsDeadlineIsTimedOut() throws IOException {
    String running = fixture("async-create.json").replace("\"type\":\"async\"", "\"type\":\"sync\"");
    AtomicInteger waits = new AtomicInteger();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getPath().startsWith(OP + "/wait")) {
          waits.incrementAndGet();
          return new MockResponse().setBody(running).setBodyDelay(100, TimeUnit.MILLISECONDS);
        }
        try {
          return new MockResponse().setResponseCode(202).setBody(fixture("async-create.json"));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
    });
    LxdClient client = client(new OkHttpClient());
    TimedOutException e = assertThrows(TimedOutException.class,
        () -> client.call("POST", "/1.0/instances", client.object(), Duration.ofMillis(500)));
    assertTrue(e.getMessage().contains("still Running"), e.getMessage());
    assertTrue(waits.get() >= 1);
  }

  @Test
  void nothingListeningIsUnreachable() throws IOException {
    int port;
    try (MockWebServer gone = new MockWebServer()) {
      gone.start();
      port = gone.getPort();
    }
    LxdClient https = LxdClient.connect("down-host", "https://127.0.0.1:" + port, ClientCertificate.generate("t"), null);
    assertThrows(UnreachableException.class, () -> new LxdHostDriver(https).probe());
    LxdClient unix = LxdClient.connect("dc9-host", "unix:///nonexistent/lxd/unix.socket", null, null);
    UnreachableException e = assertThrows(UnreachableException.class, () -> new LxdHostDriver(unix).probe());
    assertTrue(e.getMessage().contains("dc9-host") && e.getMessage().contains("/nonexistent/lxd/unix.socket"), e.getMessage());
  }

  /** Answers the driver's delete: the instance is stopped; DELETE is refused as busy {@code busyFor} times. */
  private AtomicInteger scriptDelete(int busyFor) throws IOException {
    String instance = fixture("instance.json");
    String stopped = fixture("instance-state.json").replace("\"status\":\"Running\",\"status_code\":103", "\"status\":\"Stopped\",\"status_code\":102");
    String deleted = fixture("operation-failed.json").replace("\"status\":\"Failure\",\"status_code\":400", "\"status\":\"Success\",\"status_code\":200");
    String created = fixture("async-create.json");
    String busy = error(400, "Failed to create instance delete operation: Instance is busy running a \"stop\" operation");
    AtomicInteger deletes = new AtomicInteger();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if (request.getMethod().equals("DELETE")) {
          return deletes.incrementAndGet() <= busyFor ? new MockResponse().setResponseCode(400).setBody(busy)
              : new MockResponse().setResponseCode(202).setBody(created);
        }
        if (path.startsWith(OP + "/wait")) {
          return new MockResponse().setBody(deleted);
        }
        return new MockResponse().setBody(path.endsWith("/state") ? stopped : instance);
      }
    });
    return deletes;
  }

  @Test
  void aDeleteRefusedAsBusyIsRetriedUntilItGoesThrough() throws IOException {
    AtomicInteger deletes = scriptDelete(3);
    BusyRetry quick = new BusyRetry(Duration.ofMillis(10), Duration.ofMillis(40), 10);
    new LxdHostDriver(client(new OkHttpClient()), quick).delete("web-1");
    assertEquals(4, deletes.get());
  }

  @Test
  void aDeleteBusyBeyondItsBoundIsHostBusySayingHowLongItTried() throws IOException {
    AtomicInteger deletes = scriptDelete(Integer.MAX_VALUE);
    BusyRetry quick = new BusyRetry(Duration.ofMillis(10), Duration.ofMillis(40), 5);
    HostBusyException e = assertThrows(HostBusyException.class,
        () -> new LxdHostDriver(client(new OkHttpClient()), quick).delete("web-1"));
    assertEquals(5, deletes.get());
    assertTrue(e.getMessage().contains("after 5 attempts"), e.getMessage());
    assertTrue(e.getMessage().startsWith("mock-host: delete of 'web-1'"), e.getMessage());
    assertInstanceOf(DriverException.class, e.getCause());
  }

  @Test
  void snapshotsFollowACopyOntoAnotherNetworkFromLxd5214And64() {
    for (String older : new String[] {"5.0.2", "5.0.9", "5.21.3", "6.0.0", "6.3", "4.0.9", "5.0.2-deb", ""}) {
      assertTrue(!LxdCopy.takesSnapshotsOntoAnotherNic(older), older);
    }
    for (String newer : new String[] {"5.21.4", "5.21.10", "6.4", "6.9.1", "7.0"}) {
      assertTrue(LxdCopy.takesSnapshotsOntoAnotherNic(newer), newer);
    }
  }

  @Test
  void aStaticAddressGivesItsOwnLocallyAdministeredMac() {
    assertEquals("0a:63:0a:4d:00:05", StaticMac.forIpv4("10.77.0.5"));
    assertEquals("0a:63:ff:ff:ff:fe", StaticMac.forIpv4("255.255.255.254"));
    assertEquals(java.util.Optional.of("10.77.0.5"), StaticMac.ipv4Of("0A:63:0A:4D:00:05"));
    assertEquals(java.util.Optional.empty(), StaticMac.ipv4Of("00:16:3e:0a:4d:05"));
    int first = Integer.parseInt(StaticMac.PREFIX.substring(0, 2), 16);
    assertEquals(2, first & 0b11, "locally administered (bit 1) and unicast (bit 0 clear)");
  }
}

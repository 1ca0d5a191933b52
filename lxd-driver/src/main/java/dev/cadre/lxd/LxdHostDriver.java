package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NetworkInfo;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.RequestBody;

/** {@link HostDriver} over the LXD REST API. Containers only; one LXD daemon (or cluster member) per host. */
public final class LxdHostDriver implements HostDriver {
  static final String METADATA_PREFIX = "user.";
  private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(5);

  private final String host;
  private final LxdClient client;
  private final LxdExec exec;
  private final LxdServiceAddresses addresses;
  private final LxdImages images;
  private final BusyRetry busy;

  public LxdHostDriver(LxdClient client) {
    this(client, BusyRetry.DEFAULT);
  }

  LxdHostDriver(LxdClient client, BusyRetry busy) {
    this.client = client;
    this.host = client.host();
    this.exec = new LxdExec(client);
    this.addresses = new LxdServiceAddresses(client, exec, host, busy);
    this.images = new LxdImages(client);
    this.busy = busy;
  }

  /** Connects to a host at {@code unix:///...} or {@code https://...} (see {@link LxdClient#connect}). */
  public static LxdHostDriver connect(String host, String endpoint, ClientCertificate certificate, String serverFingerprint) {
    return new LxdHostDriver(LxdClient.connect(host, endpoint, certificate, serverFingerprint));
  }

  public LxdClient client() {
    return client;
  }

  @Override
  public String kind() {
    return "lxd";
  }

  @Override
  public String serverIdentity() {
    return client.serverFingerprint();
  }

  @Override
  public String hostName() {
    return host;
  }

  // ---- trust --------------------------------------------------------------------------------

  /** True when the host already trusts our client certificate (always true over the unix socket). */
  public boolean trusted() {
    return "trusted".equals(client.get("/1.0").path("auth").asText());
  }

  /**
   * Asks the host to trust our client certificate, proving the right with the host's trust password
   * or a token made on the host ({@code lxc config trust add}). A token's secret is what LXD checks.
   */
  public void requestTrust(String passwordOrToken) {
    if (trusted()) {
      return;
    }
    ObjectNode body = client.object();
    body.put("type", "client");
    body.put("name", "cadre");
    body.put("password", LxdTokens.secretOf(passwordOrToken));
    client.call("POST", "/1.0/certificates", body, CHANGE_TIMEOUT);
    if (!trusted()) {
      throw new dev.cadre.driver.UnauthorizedException(host, "the host accepted the request but still does not trust cadre's certificate");
    }
  }

  // ---- host ---------------------------------------------------------------------------------

  @Override
  public HostInfo probe() {
    JsonNode server = client.get("/1.0");
    if (!"trusted".equals(server.path("auth").asText())) {
      throw new dev.cadre.driver.UnauthorizedException(host, "the host does not trust cadre's client certificate");
    }
    JsonNode env = server.path("environment");
    JsonNode resources = client.get("/1.0/resources");
    long diskTotal = 0;
    long diskUsed = 0;
    String pool = rootPool();
    if (pool != null) {
      JsonNode space = client.get("/1.0/storage-pools/" + pool + "/resources").path("space");
      diskTotal = space.path("total").asLong();
      diskUsed = space.path("used").asLong();
    }
    List<NetworkInfo> networks = new ArrayList<>();
    for (JsonNode n : client.get("/1.0/networks", Map.of("recursion", "1"))) {
      networks.add(new NetworkInfo(n.path("name").asText(), n.path("type").asText(), n.path("managed").asBoolean(),
          n.path("config").path("ipv4.address").asText(null)));
    }
    int instances = client.get("/1.0/instances").size();
    return new HostInfo(env.path("server_name").asText(host), kind(), env.path("server_version").asText(),
        env.path("kernel_architecture").asText(), resources.path("cpu").path("total").asInt(),
        resources.path("memory").path("total").asLong(), resources.path("memory").path("used").asLong(),
        diskTotal, diskUsed, instances, networks);
  }

  /** The pool of the default profile's root disk: where this host puts an instance's root. */
  String rootPool() {
    JsonNode root = client.get("/1.0/profiles/default").path("devices").path("root");
    return root.path("pool").asText(null);
  }

  /** The address other LXD hosts reach this one at: the HTTPS endpoint, or the daemon's own listen address. */
  String reachableBase() {
    if (client.httpsBase() != null) {
      String b = client.httpsBase().toString();
      return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }
    JsonNode addresses = client.get("/1.0").path("environment").path("addresses");
    if (addresses.isEmpty()) {
      throw new HostFailureException(host, "the host does not listen on the network (core.https_address unset), so nothing can copy to it");
    }
    return "https://" + addresses.get(0).asText();
  }

  // ---- images -------------------------------------------------------------------------------

  @Override
  public boolean hasImage(String alias) {
    return images.hasImage(alias);
  }

  @Override
  public void ensureImage(ImageSource image) {
    images.ensureImage(image);
  }

  // ---- instances ----------------------------------------------------------------------------

  @Override
  public Instance create(InstanceSpec spec) {
    if (!hasImage(spec.image())) {
      throw new NotFoundException(host, "image '" + spec.image() + "' not found");
    }
    if (spec.nic() != null) {
      try {
        client.get("/1.0/networks/" + spec.nic().network());
      } catch (NotFoundException e) {
        throw new NotFoundException(host, "network '" + spec.nic().network() + "' not found");
      }
    }
    if (find(spec.name()).isPresent()) {
      throw new ConflictException(host, "instance '" + spec.name() + "' already exists");
    }
    ObjectNode body = client.object();
    body.put("name", spec.name());
    body.put("type", "container");
    body.putArray("profiles").add("default");
    ObjectNode source = body.putObject("source");
    source.put("type", "image");
    source.put("alias", spec.image());
    ObjectNode config = body.putObject("config");
    if (spec.cpus() > 0) {
      config.put("limits.cpu", Integer.toString(spec.cpus()));
    }
    if (spec.memoryMiB() > 0) {
      config.put("limits.memory", spec.memoryMiB() + "MiB");
    }
    if (spec.processes() > 0) {
      config.put("limits.processes", Integer.toString(spec.processes()));
    }
    spec.metadata().forEach((k, v) -> config.put(METADATA_PREFIX + k, v));
    ObjectNode devices = body.putObject("devices");
    if (spec.nic() != null) {
      devices.set("eth0", nicDevice(spec.nic()));
    }
    if (spec.rootDiskMiB() > 0) {
      ObjectNode root = devices.putObject("root");
      root.put("type", "disk");
      root.put("path", "/");
      root.put("pool", Optional.ofNullable(rootPool()).orElse("default"));
      root.put("size", spec.rootDiskMiB() + "MiB");
    }
    try {
      client.call("POST", "/1.0/instances", body, CHANGE_TIMEOUT);
    } catch (DriverException e) {
      removeHalfMade(spec.name(), e);
      throw e;
    }
    return get(spec.name());
  }

  /** The NIC of a static address gets the MAC derived from it (see {@link StaticMac} for why). */
  ObjectNode nicDevice(dev.cadre.driver.NicSpec nic) {
    ObjectNode eth0 = client.object();
    eth0.put("type", "nic");
    eth0.put("network", nic.network());
    eth0.put("name", "eth0");
    if (nic.ipv4() != null) {
      eth0.put("ipv4.address", nic.ipv4());
      eth0.put("hwaddr", StaticMac.forIpv4(nic.ipv4()));
      // the instance may use only its own address (and service addresses routed to this NIC) and MAC:
      // a tenant cannot take over a neighbour's address on the bridge
      eth0.put("security.ipv4_filtering", "true");
      eth0.put("security.mac_filtering", "true");
    }
    return eth0;
  }

  void removeHalfMade(String name, DriverException cause) {
    if (cause instanceof ConflictException && !(cause instanceof AddressInUseException)) {
      return; // the name belonged to someone else before we came
    }
    try {
      if (find(name).isPresent()) {
        client.call("DELETE", "/1.0/instances/" + name, null, CHANGE_TIMEOUT);
      }
    } catch (DriverException cleanup) {
      cause.addSuppressed(cleanup);
    }
  }

  @Override
  public void start(String name) {
    changeState(name, "start", 0, false, CHANGE_TIMEOUT);
  }

  @Override
  public void stop(String name, Duration timeout) {
    Validation.requireInstanceName(name);
    if (get(name).state() == InstanceState.STOPPED) {
      return;
    }
    try {
      changeState(name, "stop", Math.max(1, (int) timeout.toSeconds()), false, timeout.plusSeconds(10));
    } catch (HostFailureException | UnavailableException notInTime) {
      changeState(name, "stop", -1, true, CHANGE_TIMEOUT);
    }
  }

  @Override
  public void stopNow(String name) {
    Validation.requireInstanceName(name);
    if (get(name).state() == InstanceState.STOPPED) {
      return;
    }
    changeState(name, "stop", -1, true, CHANGE_TIMEOUT);
  }

  private void changeState(String name, String action, int timeoutSeconds, boolean force, Duration wait) {
    Validation.requireInstanceName(name);
    ObjectNode body = client.object();
    body.put("action", action);
    body.put("timeout", timeoutSeconds);
    body.put("force", force);
    client.call("PUT", "/1.0/instances/" + name + "/state", body, wait);
  }

  /** A host still busy with the instance (a stop that timed out is still running there) is given time. */
  @Override
  public void delete(String name) {
    Validation.requireInstanceName(name);
    busy.run(host, "delete of '" + name + "'", () -> {
      if (get(name).state() != InstanceState.STOPPED) {
        changeState(name, "stop", -1, true, CHANGE_TIMEOUT);
      }
      client.call("DELETE", "/1.0/instances/" + name, null, CHANGE_TIMEOUT);
    });
  }

  @Override
  public Optional<Instance> find(String name) {
    Validation.requireInstanceName(name);
    JsonNode meta;
    JsonNode state;
    try {
      meta = client.get("/1.0/instances/" + name);
      state = client.get("/1.0/instances/" + name + "/state");
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(LxdMapping.instance(meta, state));
  }

  @Override
  public List<Instance> list() {
    List<Instance> all = new ArrayList<>();
    for (JsonNode full : client.get("/1.0/instances", Map.of("recursion", "2"))) {
      all.add(LxdMapping.instance(full, full.path("state")));
    }
    return all;
  }

  // ---- exec and files -----------------------------------------------------------------------

  @Override
  public ExecResult exec(String name, ExecRequest request) {
    Validation.requireInstanceName(name);
    return exec.run(name, request);
  }

  @Override
  public void assignAddress(String name, String address) {
    addresses.assign(name, address);
  }

  @Override
  public void unassignAddress(String name, String address) {
    addresses.unassign(name, address);
  }

  @Override
  public java.util.Set<String> assignedAddresses(String name) {
    return addresses.assigned(name);
  }

  @Override
  public void pushFile(String name, FileSpec file) {
    Validation.requireInstanceName(name);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-LXD-type", "file");
    headers.put("X-LXD-write", "overwrite");
    headers.put("X-LXD-mode", String.format("%04o", file.mode()));
    headers.put("X-LXD-uid", Integer.toString(file.uid()));
    headers.put("X-LXD-gid", Integer.toString(file.gid()));
    client.postBytes("/1.0/instances/" + name + "/files", Map.of("path", file.path()), headers,
        RequestBody.create(file.content(), LxdClient.OCTETS));
  }

  /** Streams the file from disk (OkHttp reads it in chunks while it sends). */
  @Override
  public void pushFile(String name, String path, java.nio.file.Path source, int mode) {
    Validation.requireInstanceName(name);
    Validation.requireAbsolutePath(path);
    if (mode < 0 || mode > 07777) {
      throw new dev.cadre.driver.InvalidInputException(hostName(), "file mode must be between 0 and 07777");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-LXD-type", "file");
    headers.put("X-LXD-write", "overwrite");
    headers.put("X-LXD-mode", String.format("%04o", mode));
    headers.put("X-LXD-uid", "0");
    headers.put("X-LXD-gid", "0");
    client.postBytes("/1.0/instances/" + name + "/files", Map.of("path", path), headers, LxdClient.fileBody(source));
  }

  @Override
  public long pullFile(String name, String path, java.io.OutputStream out, long maxBytes) {
    Validation.requireInstanceName(name);
    Validation.requireAbsolutePath(path);
    if (maxBytes < 0) {
      throw new dev.cadre.driver.InvalidInputException(hostName(), "maxBytes must not be negative");
    }
    return client.download("/1.0/instances/" + name + "/files", Map.of("path", path), "file", out, maxBytes,
        "file " + path + " of instance '" + name + "'");
  }

  // ---- snapshots ----------------------------------------------------------------------------

  @Override
  public void createSnapshot(String name, String snapshot) {
    Validation.requireSnapshotName(snapshot);
    if (listSnapshots(name).contains(snapshot)) {
      throw new ConflictException(host, "snapshot '" + name + "/" + snapshot + "' already exists");
    }
    ObjectNode body = client.object();
    body.put("name", snapshot);
    client.call("POST", "/1.0/instances/" + name + "/snapshots", body, CHANGE_TIMEOUT);
  }

  @Override
  public List<String> listSnapshots(String name) {
    Validation.requireInstanceName(name);
    List<String> names = new ArrayList<>();
    for (JsonNode url : client.get("/1.0/instances/" + name + "/snapshots")) {
      String u = url.asText();
      names.add(u.substring(u.lastIndexOf('/') + 1));
    }
    return names;
  }

  @Override
  public void deleteSnapshot(String name, String snapshot) {
    Validation.requireInstanceName(name);
    Validation.requireSnapshotName(snapshot);
    client.call("DELETE", "/1.0/instances/" + name + "/snapshots/" + snapshot, null, CHANGE_TIMEOUT);
  }

  // ---- copy between hosts -------------------------------------------------------------------

  @Override
  public void copyTo(HostDriver target, CopyRequest request) {
    copyTo(target, request, sent -> {});
  }

  /** Reports what LXD's migration says it sent (see {@link CopyProgress}). */
  @Override
  public void copyTo(HostDriver target, CopyRequest request, java.util.function.LongConsumer sent) {
    if (!(target instanceof LxdHostDriver to)) {
      throw new InvalidInputException(host, "an LXD instance can only be copied to another LXD host, not " + target.kind());
    }
    new LxdCopy(this, to).copy(request, new CopyProgress(sent));
  }

  @Override
  public void close() {
    client.close();
  }
}

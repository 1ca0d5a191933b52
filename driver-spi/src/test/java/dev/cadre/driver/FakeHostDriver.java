package dev.cadre.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory host for fast tests of the layers above the driver. Files live in maps; exec runs the
 * argument vector as a local process (so exit codes, stdin and env behave like the real thing).
 */
public final class FakeHostDriver implements HostDriver {
  private final String host;
  private final Set<String> images = ConcurrentHashMap.newKeySet();
  private final Map<String, String> networks = new ConcurrentHashMap<>();
  private final Map<String, Box> boxes = new ConcurrentHashMap<>();
  /** How many of the next starts fail as the host failing (tests of a retried start). */
  public final java.util.concurrent.atomic.AtomicInteger failStarts = new java.util.concurrent.atomic.AtomicInteger();

  private static final class Box {
    InstanceSpec spec;
    InstanceState state = InstanceState.STOPPED;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, Map<String, byte[]>> snapshots = new LinkedHashMap<>();
  }

  public FakeHostDriver(String host, String network, String cidr, String... images) {
    this.host = host;
    this.networks.put(network, cidr);
    this.images.addAll(List.of(images));
  }

  @Override
  public String kind() {
    return "fake";
  }

  @Override
  public String hostName() {
    return host;
  }

  @Override
  public HostInfo probe() {
    List<NetworkInfo> nets = new ArrayList<>();
    networks.forEach((n, c) -> nets.add(new NetworkInfo(n, "bridge", true, c)));
    return new HostInfo(host, kind(), "1.0", "x86_64", 4, 8L << 30, 0, 100L << 30, 0, boxes.size(), nets);
  }

  @Override
  public boolean hasImage(String alias) {
    return images.contains(Validation.requireImageAlias(alias));
  }

  @Override
  public void ensureImage(ImageSource image) {
    images.add(image.alias());
  }

  @Override
  public synchronized Instance create(InstanceSpec spec) {
    if (boxes.containsKey(spec.name())) {
      throw new ConflictException(host, "instance '" + spec.name() + "' already exists");
    }
    if (!images.contains(spec.image())) {
      throw new NotFoundException(host, "image '" + spec.image() + "' not found");
    }
    if (spec.nic() != null && !networks.containsKey(spec.nic().network())) {
      throw new NotFoundException(host, "network '" + spec.nic().network() + "' not found");
    }
    Box box = new Box();
    box.spec = spec;
    boxes.put(spec.name(), box);
    return view(spec.name(), box);
  }

  private Box box(String name) {
    Validation.requireInstanceName(name);
    Box box = boxes.get(name);
    if (box == null) {
      throw new NotFoundException(host, "instance '" + name + "' not found");
    }
    return box;
  }

  private Instance view(String name, Box box) {
    String configured = box.spec.nic() == null ? null : box.spec.nic().ipv4();
    String network = box.spec.nic() == null ? null : box.spec.nic().network();
    String actual = box.state == InstanceState.RUNNING ? configured : null;
    return new Instance(name, box.state, box.state.name(), actual, configured, network, box.spec.metadata());
  }

  @Override
  public void start(String name) {
    if (failStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new HostFailureException(host, "Failed to handle idmapped storage (a start failed on purpose)");
    }
    Box box = box(name);
    if (box.state == InstanceState.RUNNING) {
      throw new ConflictException(host, "instance '" + name + "' is already running");
    }
    box.state = InstanceState.RUNNING;
  }

  @Override
  public void stop(String name, Duration timeout) {
    box(name).state = InstanceState.STOPPED;
  }

  @Override
  public void delete(String name) {
    box(name);
    boxes.remove(name);
    routes.remove(name);
  }

  @Override
  public Optional<Instance> find(String name) {
    Validation.requireInstanceName(name);
    Box box = boxes.get(name);
    return box == null ? Optional.empty() : Optional.of(view(name, box));
  }

  @Override
  public List<Instance> list() {
    List<Instance> all = new ArrayList<>();
    boxes.forEach((n, b) -> all.add(view(n, b)));
    return all;
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) {
    Box box = box(name);
    if (box.state != InstanceState.RUNNING) {
      throw new ConflictException(host, "instance '" + name + "' is not running");
    }
    List<String> argv = request.argv();
    if (argv.size() == 3 && argv.get(0).equals("cat") && argv.get(1).equals("--")) {
      // files live in the map, so reading one back goes there too (as the zone simulator's zlogin does)
      byte[] data = box.files.get(argv.get(2));
      return data == null
          ? new ExecResult(1, new byte[0], ("cat: " + argv.get(2) + ": No such file or directory\n").getBytes())
          : new ExecResult(0, data.clone(), new byte[0]);
    }
    ProcessBuilder pb = new ProcessBuilder(request.argv());
    pb.environment().putAll(request.env());
    try {
      Process p = pb.start();
      // through the handle: Process.destroyForcibly would also close the streams under the readers
      Runnable stop = request.stopAtLimit() ? () -> p.toHandle().destroyForcibly() : null;
      BoundedOutput outSink = new BoundedOutput(request.outputLimit(), stop);
      BoundedOutput errSink = new BoundedOutput(request.outputLimit(), stop);
      CompletableFuture<BoundedOutput> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream(), outSink));
      CompletableFuture<BoundedOutput> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream(), errSink));
      try (var stdin = p.getOutputStream()) {
        if (request.stdin() != null) {
          stdin.write(request.stdin());
        }
      }
      if (!p.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new TimedOutException(host, "exec timed out after " + request.timeout().toSeconds() + "s, killed");
      }
      return ExecResult.of(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      return new ExecResult(127, new byte[0], e.getMessage().getBytes());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(host, "interrupted", e);
    }
  }

  private static BoundedOutput drain(InputStream in, BoundedOutput sink) {
    try (in) {
      in.transferTo(sink);
      return sink;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Service addresses per instance: what assignAddress gave it. */
  private final Map<String, Set<String>> routes = new ConcurrentHashMap<>();

  @Override
  public void assignAddress(String name, String address) {
    get(name);
    Validation.requireIpv4(address);
    routes.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(address);
  }

  @Override
  public void unassignAddress(String name, String address) {
    get(name);
    Set<String> held = routes.get(name);
    if (held != null) {
      held.remove(address);
    }
  }

  @Override
  public Set<String> assignedAddresses(String name) {
    return Set.copyOf(routes.getOrDefault(name, Set.of()));
  }

  @Override
  public void pushFile(String name, FileSpec file) {
    box(name).files.put(file.path(), file.content().clone());
  }

  @Override
  public void pushFile(String name, String path, java.nio.file.Path source, int mode) {
    Validation.requireAbsolutePath(path);
    try {
      box(name).files.put(path, java.nio.file.Files.readAllBytes(source));
    } catch (java.io.IOException e) {
      throw new InvalidInputException(host, "cannot read " + source + ": " + e.getMessage());
    }
  }

  @Override
  public long pullFile(String name, String path, java.io.OutputStream out, long maxBytes) {
    Validation.requireAbsolutePath(path);
    byte[] data = box(name).files.get(path);
    if (data == null) {
      throw new NotFoundException(host, "no file " + path + " in instance '" + name + "'");
    }
    if (data.length > maxBytes) {
      throw new FileTooLargeException(host, path, maxBytes);
    }
    try {
      out.write(data);
    } catch (java.io.IOException e) {
      throw new UnavailableException(host, "cannot write what was read from " + path + ": " + e.getMessage(), e);
    }
    return data.length;
  }

  /** What a test finds at {@code path} in the instance, or null: for tests only, not a verb of the contract. */
  public byte[] file(String name, String path) {
    byte[] data = box(name).files.get(path);
    return data == null ? null : data.clone();
  }

  @Override
  public synchronized void createSnapshot(String name, String snapshot) {
    Validation.requireSnapshotName(snapshot);
    Box box = box(name);
    if (box.snapshots.containsKey(snapshot)) {
      throw new ConflictException(host, "snapshot '" + snapshot + "' already exists");
    }
    box.snapshots.put(snapshot, new HashMap<>(box.files));
  }

  @Override
  public List<String> listSnapshots(String name) {
    return List.copyOf(box(name).snapshots.keySet());
  }

  @Override
  public synchronized void deleteSnapshot(String name, String snapshot) {
    Validation.requireSnapshotName(snapshot);
    if (box(name).snapshots.remove(snapshot) == null) {
      throw new NotFoundException(host, "snapshot '" + snapshot + "' not found");
    }
  }

  @Override
  public void copyTo(HostDriver target, CopyRequest request) {
    copyTo(target, request, sent -> {});
  }

  /**
   * Copies at once, and reports one figure as it ends: the bytes of the files the target did not have as they
   * are (all of them for a first copy, what changed for a refresh).
   */
  @Override
  public void copyTo(HostDriver target, CopyRequest request, java.util.function.LongConsumer sent) {
    if (!(target instanceof FakeHostDriver other)) {
      throw new InvalidInputException(host, "can only copy to another fake host");
    }
    Box source = box(request.source());
    if (source.state == InstanceState.RUNNING && !request.whileRunning()) {
      throw new ConflictException(host, "stop '" + request.source() + "' before copying it");
    }
    Box existing = other.boxes.get(request.target());
    if (request.refresh() && existing == null) {
      throw new NotFoundException(other.host, "refresh needs an existing copy '" + request.target() + "'");
    }
    if (!request.refresh() && existing != null) {
      throw new ConflictException(other.host, "instance '" + request.target() + "' already exists");
    }
    InstanceSpec s = source.spec;
    NicSpec nic = request.nic() != null ? request.nic() : s.nic();
    Box copy = new Box();
    copy.spec = new InstanceSpec(request.target(), s.image(), s.cpus(), s.memoryMiB(), s.rootDiskMiB(), s.processes(), nic,
        s.metadata());
    copy.files.putAll(source.files);
    copy.snapshots.putAll(source.snapshots);
    long bytes = 0;
    for (Map.Entry<String, byte[]> f : copy.files.entrySet()) {
      if (existing == null || !java.util.Arrays.equals(existing.files.get(f.getKey()), f.getValue())) {
        bytes += f.getValue().length;
      }
    }
    other.images.add(s.image());
    other.boxes.put(request.target(), copy);
    try {
      sent.accept(bytes);
    } catch (RuntimeException ignored) {
      // the listener's trouble is not the copy's
    }
  }

  @Override
  public void close() {}
}

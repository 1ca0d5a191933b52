package dev.cadre.templates;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.lxd.LxdHostDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * LXD host 1 of {@code scripts/lxd-hosts up}, and the containers one test class made on it. This
 * module's ITs own the static addresses 10.77.0.120-127 of that host's bridge.
 */
final class TestHost implements AutoCloseable {
  static final String SOCKET = env("CADRE_LXD1_SOCKET", "/var/lib/lxd/unix.socket");
  static final String NETWORK = env("CADRE_LXD1_NETWORK", "cadrebr0");
  static final Path BUSYBOX = Path.of(env("CADRE_BUSYBOX_IMAGE", "/var/lib/cadre-test/images/busybox.tar.gz"));

  final LxdHostDriver driver = LxdHostDriver.connect("lxd1", "unix://" + SOCKET, null, null);
  private final List<String> created = new CopyOnWriteArrayList<>();

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The plain busybox test image that scripts/lxd-hosts imports (imported here when missing). */
  String busyboxImage() {
    driver.ensureImage(new ImageSource("busybox", BUSYBOX));
    return "busybox";
  }

  /** Creates and starts a container with a static address and waits until it holds that address. */
  String launch(String prefix, String image, String ip) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    // a container left by a crashed earlier run may still hold this address
    for (Instance old : driver.list()) {
      if (ip.equals(old.configuredIpv4())) {
        driver.delete(old.name());
      }
    }
    created.add(name);
    driver.create(InstanceSpec.builder(name, image).nic(NETWORK, ip).memoryMiB(512).build());
    driver.start(name);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long wrongSince = 0;
    boolean restarted = false;
    while (System.nanoTime() < deadline) {
      Instance i = driver.get(name);
      if (ip.equals(i.ipv4())) {
        return name;
      }
      // its DHCP request beat the reservation to the network's server (a loaded host): as the control
      // plane does, restart it once so that it asks again
      if (i.ipv4() != null && !restarted) {
        wrongSince = wrongSince == 0 ? System.nanoTime() : wrongSince;
        if (System.nanoTime() - wrongSince > Duration.ofSeconds(2).toNanos()) {
          driver.stop(name, Duration.ofSeconds(10));
          driver.start(name);
          restarted = true;
        }
      }
      sleep(100);
    }
    throw new AssertionError(name + " did not get " + ip + " within 60 s: " + driver.get(name));
  }

  /** Waits until the container's systemd finished booting (running, or degraded). */
  void awaitSystemd(String member) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      state = exec(member, "systemctl", "is-system-running").stdoutText().strip();
      if (state.equals("running") || state.equals("degraded")) {
        return;
      }
      sleep(200);
    }
    throw new AssertionError("systemd did not finish booting in " + member + ": " + state);
  }

  ExecResult exec(String member, String... argv) {
    return driver.exec(member, ExecRequest.of(argv));
  }

  /** Stops a container as a power cut would: LXD's forced stop, nothing inside shuts down. */
  void forceStop(String name) {
    driver.client().call("PUT", "/1.0/instances/" + name + "/state",
        Map.of("action", "stop", "force", true, "timeout", -1), Duration.ofSeconds(60));
  }

  /** Stops a container cleanly (its init shuts its services down) and starts it again. */
  void restart(String name) {
    driver.stop(name, Duration.ofSeconds(60));
    driver.start(name);
  }

  /** What a command run on this machine (not in a container) printed, stdout and stderr together. */
  record Ran(int exit, String out) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  /** Runs a command on this machine with extra environment and stdin; killed after two minutes. */
  static Ran run(Map<String, String> env, byte[] stdin, String... argv) {
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      Thread feeder = new Thread(() -> {
        try (var in = p.getOutputStream()) {
          if (stdin != null) {
            in.write(stdin);
          }
        } catch (java.io.IOException ignored) {
          // the command ended without reading everything: its output says why
        }
      });
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      Thread reader = new Thread(() -> {
        try (var from = p.getInputStream()) {
          from.transferTo(out);
        } catch (java.io.IOException ignored) {
          // killed: what was read is kept
        }
      });
      feeder.start();
      reader.start();
      boolean ended = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly().waitFor();
      }
      feeder.join();
      reader.join();
      String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
      if (!ended) {
        throw new AssertionError(String.join(" ", argv) + " did not end within 120 s: " + text);
      }
      return new Ran(p.exitValue(), text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, cmd))) {
        return true;
      }
    }
    return false;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Deletes what this test made. */
  void cleanUp() {
    for (String name : created) {
      try {
        if (driver.find(name).isPresent()) {
          driver.delete(name);
        }
      } catch (RuntimeException ignored) {
        // best effort: the next run deletes by address
      }
    }
    created.clear();
  }

  @Override
  public void close() {
    cleanUp();
    driver.close();
  }
}

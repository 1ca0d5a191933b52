package dev.cadre.bench;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.lxd.LxdHostDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * cadre's LXD driver against the {@code lxc} CLI doing the same work on the same daemon, interleaved
 * round by round so both see the same machine: create+start of the busybox image, {@code exec true},
 * a 1 MiB push, and delete. Prints medians, p90 and the ratio driver/lxc (below 1 means cadre is faster).
 *
 * <p>Usage: {@code DriverBench ROUNDS SOCKET IMAGE}
 */
public final class DriverBench {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String socket = args.length > 1 ? args[1] : "/var/lib/lxd/unix.socket";
    String image = args.length > 2 ? args[2] : "busybox";
    byte[] mib = new byte[1024 * 1024];
    new Random(1).nextBytes(mib);
    Path file = Files.createTempFile("cadre-bench", ".bin");
    Files.write(file, mib);

    String[] steps = {"create+start", "exec true", "push 1 MiB", "delete"};
    List<Samples> cadre = new ArrayList<>();
    List<Samples> lxc = new ArrayList<>();
    for (String s : steps) {
      cadre.add(new Samples(s));
      lxc.add(new Samples(s));
    }
    try (LxdHostDriver driver = LxdHostDriver.connect("bench", "unix://" + socket, null, null)) {
      // warm up both paths once: JIT and connection pool for cadre, page cache for lxc
      roundCadre(driver, image, mib, "bench-warm-c", null);
      roundLxc(image, file, "bench-warm-l", null);
      for (int i = 0; i < rounds; i++) {
        roundCadre(driver, image, mib, "bench-c" + i, cadre);
        roundLxc(image, file, "bench-l" + i, lxc);
      }
    } finally {
      Files.deleteIfExists(file);
    }
    System.out.printf("%nLXD driver vs lxc CLI, %d rounds, busybox image, same daemon%n", rounds);
    System.out.printf("%-14s %12s %12s %12s %12s %8s%n", "step", "cadre p50", "cadre p90", "lxc p50", "lxc p90", "ratio");
    for (int i = 0; i < steps.length; i++) {
      Samples c = cadre.get(i);
      Samples l = lxc.get(i);
      System.out.printf("%-14s %10.1fms %10.1fms %10.1fms %10.1fms %7.2fx%n", steps[i], c.median(), c.percentile(90),
          l.median(), l.percentile(90), c.median() / l.median());
    }
    System.out.println("ratio = cadre p50 / lxc p50 (below 1.00: cadre is faster)");
  }

  private static void roundCadre(LxdHostDriver d, String image, byte[] mib, String name, List<Samples> out) {
    long t0 = System.nanoTime();
    d.create(InstanceSpec.builder(name, image).build());
    d.start(name);
    long t1 = System.nanoTime();
    d.exec(name, ExecRequest.of("true"));
    long t2 = System.nanoTime();
    d.pushFile(name, FileSpec.of("/root/blob.bin", mib, 0644));
    long t3 = System.nanoTime();
    d.delete(name);
    long t4 = System.nanoTime();
    record(out, t0, t1, t2, t3, t4);
  }

  private static void roundLxc(String image, Path file, String name, List<Samples> out) throws Exception {
    long t0 = System.nanoTime();
    run("lxc", "launch", image, name);
    long t1 = System.nanoTime();
    run("lxc", "exec", name, "--", "true");
    long t2 = System.nanoTime();
    run("lxc", "file", "push", file.toString(), name + "/root/blob.bin");
    long t3 = System.nanoTime();
    run("lxc", "delete", "--force", name);
    long t4 = System.nanoTime();
    record(out, t0, t1, t2, t3, t4);
  }

  private static void record(List<Samples> out, long... t) {
    if (out == null) {
      return;
    }
    for (int i = 0; i < out.size(); i++) {
      out.get(i).add(t[i + 1] - t[i]);
    }
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    // lxc launch reads instance config from stdin when it is not a terminal: give it /dev/null
    Process p = new ProcessBuilder(argv).redirectInput(new java.io.File("/dev/null")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed");
    }
  }
}

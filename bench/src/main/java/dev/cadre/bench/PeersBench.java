package dev.cadre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.lxd.LxdHostDriver;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One job done by cadre, an {@code lxc} shell script (in parallel and one container after the other),
 * pylxd (one after the other and with a thread pool) and Ansible, on the same LXD host, round-robin so
 * every tool sees the same machine: (a) create and start N containers, each with a static address; (b)
 * push a hook into each and run it; (c) run one command in each; (d) delete them. Prints each run as it
 * ends, then medians per step and total, and each tool's medians over cadre's.
 *
 * <p>cadre runs in this JVM against a real {@code cadre serve} (started by bench/peers, the host already
 * registered): (a) is {@code POST /v1/apps} with a busybox service of N members until the operation
 * ends, (d) is {@code DELETE /v1/apps/{app}}; cadre has no exec or file endpoint for users, so (b) and
 * (c) go through the LXD driver the server runs hooks with ({@link LxdHostDriver#pushFile} and
 * {@link LxdHostDriver#exec}), PARALLELISM members at a time. The other tools are the scripts next to
 * bench/peers, run as processes; each prints {@code mark begin|a|b|c|d EPOCH_SECONDS}, and the time
 * from the process's start to {@code begin} is its start-up.
 *
 * <p>Usage: {@code PeersBench ROUNDS N URL TOKEN_FILE DATACENTER SOCKET IMAGE NETWORK FIRST_IP HOOK
 * PARALLELISM LOG_DIR}
 */
public final class PeersBench {
  private static final String[] STEPS = {"start", "(a)", "(b)", "(c)", "(d)", "total"};
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final String token;
  private final String datacenter;
  private final LxdHostDriver driver;
  private final byte[] hook;
  private final int parallelism;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private PeersBench(String url, String token, String datacenter, LxdHostDriver driver, byte[] hook, int parallelism) {
    this.url = url;
    this.token = token;
    this.datacenter = datacenter;
    this.driver = driver;
    this.hook = hook;
    this.parallelism = parallelism;
  }

  /** A tool's way through the job: runs it with N containers named PREFIX1..PREFIXn (or app NAME for cadre). */
  private interface Tool {
    double[] run(int n, String name) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    String url = args[2];
    String token = Files.readString(Path.of(args[3])).strip();
    String datacenter = args[4];
    String socket = args[5];
    String image = args[6];
    String network = args[7];
    String firstIp = args[8];
    String hookPath = args[9];
    int parallelism = Integer.parseInt(args[10]);
    Path logs = Path.of(args[11]);
    String bench = Path.of(System.getProperty("cadre.bench.dir", "bench")).toAbsolutePath().toString();

    try (LxdHostDriver driver = LxdHostDriver.connect("bench", "unix://" + socket, null, null)) {
      PeersBench b = new PeersBench(url, token, datacenter, driver, Files.readAllBytes(Path.of(hookPath)), parallelism);
      String par = Integer.toString(parallelism);
      Map<String, Tool> tools = new LinkedHashMap<>();
      tools.put("cadre", (k, name) -> b.cadre(k, name));
      // each tool its own addresses (N from FIRST_IP + index * N): a container deleted a moment ago leaves
      // its DHCP lease behind for a while, and the next tool's container with that address and another MAC
      // would not get it
      tools.put("lxc script, parallel (&)", process(logs, "lxc-par", 0, firstIp, bench + "/peers-lxc", "par", image, "", "@ip", network, "peer-l-", hookPath));
      tools.put("lxc script, sequential", process(logs, "lxc-seq", 1, firstIp, bench + "/peers-lxc", "seq", image, "", "@ip", network, "peer-s-", hookPath));
      tools.put("pylxd, sequential", process(logs, "pylxd-seq", 2, firstIp, bench + "/peers-pylxd", "seq", image, "", "@ip", network, "peer-p-", hookPath));
      tools.put("pylxd, " + parallelism + " threads", process(logs, "pylxd-threads", 3, firstIp, bench + "/peers-pylxd", "threads", image, "", "@ip", network, "peer-t-", hookPath, par));
      tools.put("ansible, " + parallelism + " forks", process(logs, "ansible", 4, firstIp, bench + "/peers-ansible/run", image, "", "@ip", network, "peer-a-", hookPath, par));
      Map<String, String> prefixes = Map.of("cadre", "peer-c", "lxc-par", "peer-l-", "lxc-seq", "peer-s-", "pylxd-seq", "peer-p-",
          "pylxd-threads", "peer-t-", "ansible", "peer-a-");
      // CADRE_PEERS_TOOLS=cadre,ansible (the words of the labels, e.g. lxc-par, pylxd-seq) runs only those
      String only = System.getenv("CADRE_PEERS_TOOLS");
      if (only != null && !only.isBlank()) {
        List<String> keep = List.of(only.split(","));
        tools.keySet().removeIf(t -> !t.equals("cadre") && keep.stream().noneMatch(k -> label(t).equals(k)));
        if (!keep.contains("cadre")) {
          throw new IllegalArgumentException("CADRE_PEERS_TOOLS must name cadre: the ratios are against it");
        }
      }
      List<String> names = new ArrayList<>(tools.keySet());

      System.out.printf("warm-up: every tool once with 3 containers (not counted)%n");
      for (String t : names) {
        double[] s = b.attempt(tools.get(t), 3, "peer-cw", t, prefixes.get(label(t)));
        System.out.printf("  %-26s %8.2fs%n", t, s == null ? Double.NaN : s[5]);
      }
      Map<String, List<Samples>> samples = new LinkedHashMap<>();
      for (String t : names) {
        List<Samples> l = new ArrayList<>();
        for (String s : STEPS) {
          l.add(new Samples(s));
        }
        samples.put(t, l);
      }
      System.out.printf("%n%-4s %-26s %8s %8s %8s %8s %8s %8s%n", "run", "tool", "start", "(a)", "(b)", "(c)", "(d)", "total");
      Map<String, Integer> failed = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < names.size(); i++) {
          String t = names.get((r + i) % names.size()); // each round starts with the next tool
          double[] s = b.attempt(tools.get(t), n, "peer-c" + (r + 1), t, prefixes.get(label(t)));
          if (s == null) {
            failed.merge(t, 1, Integer::sum);
            continue;
          }
          for (int k = 0; k < STEPS.length; k++) {
            samples.get(t).get(k).add((long) (s[k] * 1e9));
          }
          System.out.printf("%-4d %-26s %7.2fs %7.2fs %7.2fs %7.2fs %7.2fs %7.2fs%n", r + 1, t, s[0], s[1], s[2], s[3], s[4], s[5]);
        }
      }
      report(samples, rounds, n, parallelism);
      failed.forEach((t, k) -> System.out.printf("%s failed %d of %d runs (not in its medians; the reason is above)%n", t, k, rounds));
      b.printSteps();
    }
  }

  private static String label(String tool) {
    if (tool.startsWith("lxc")) {
      return tool.contains("parallel") ? "lxc-par" : "lxc-seq";
    }
    if (tool.startsWith("pylxd")) {
      return tool.contains("threads") ? "pylxd-threads" : "pylxd-seq";
    }
    return tool.startsWith("ansible") ? "ansible" : "cadre";
  }

  private static void report(Map<String, List<Samples>> samples, int rounds, int n, int parallelism) {
    List<Samples> c = samples.get("cadre");
    System.out.printf("%nOne job, %d containers, medians of %d rounds, seconds (ratio: tool / cadre, above 1.00: cadre is faster)%n",
        n, rounds);
    System.out.printf("%-26s %7s %7s %7s %7s %7s %7s %7s%n", "tool", "start", "(a)", "(b)", "(c)", "(d)", "total", "ratio");
    for (var e : samples.entrySet()) {
      List<Samples> s = e.getValue();
      System.out.printf("%-26s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %6.2fx%n", e.getKey(), s.get(0).median() / 1e3,
          s.get(1).median() / 1e3, s.get(2).median() / 1e3, s.get(3).median() / 1e3, s.get(4).median() / 1e3,
          s.get(5).median() / 1e3, s.get(5).median() / c.get(5).median());
    }
    System.out.printf("%nper step, tool / cadre%n%-26s %7s %7s %7s %7s %7s%n", "tool", "(a)", "(b)", "(c)", "(d)", "total");
    for (var e : samples.entrySet()) {
      if (e.getKey().equals("cadre")) {
        continue;
      }
      List<Samples> s = e.getValue();
      StringBuilder line = new StringBuilder(String.format("%-26s", e.getKey()));
      for (int k = 1; k < STEPS.length; k++) {
        line.append(String.format(" %6.2fx", s.get(k).median() / c.get(k).median()));
      }
      System.out.println(line);
    }
    System.out.println();
    for (var e : samples.entrySet()) {
      String t = e.getKey();
      double ratio = e.getValue().get(5).median() / c.get(5).median();
      if (t.startsWith("pylxd")) {
        System.out.printf("target cadre >= 1.5x faster than %s on the whole job: %.2fx, %s%n", t, ratio, ratio >= 1.5 ? "met" : "NOT met");
      } else if (t.startsWith("ansible")) {
        System.out.printf("target cadre >= 5x faster than %s on the whole job: %.2fx, %s%n", t, ratio, ratio >= 5 ? "met" : "NOT met");
      } else if (t.startsWith("lxc")) {
        List<String> slower = new ArrayList<>();
        for (int k = 1; k < STEPS.length - 1; k++) {
          if (c.get(k).median() > e.getValue().get(k).median()) {
            slower.add(STEPS[k]);
          }
        }
        System.out.printf("target cadre no slower than the %s at any step: %s%n", t,
            slower.isEmpty() ? "met" : "NOT met, slower at " + String.join(" ", slower));
      }
    }
  }

  /**
   * One run of a tool; on failure prints why, removes what the run left (the app through the API, else its
   * containers by their name prefix through the driver) and answers null.
   */
  private double[] attempt(Tool tool, int n, String app, String label, String prefix) {
    try {
      return tool.run(n, app);
    } catch (Exception e) {
      System.out.printf("     %-26s FAILED: %s%n", label, e.getMessage());
      if (label.equals("cadre")) {
        try {
          waitFor(call("DELETE", "/v1/apps/" + app, null));
        } catch (Exception gone) {
          // not there, or not deletable: the prefix sweep below
        }
        prefix = app + "-";
      }
      for (var i : driver.list()) {
        if (i.name().startsWith(prefix)) {
          try {
            driver.delete(i.name());
          } catch (RuntimeException ignored) {
            // bench/peers' exit sweeps again
          }
        }
      }
      return null;
    }
  }

  // ---- cadre --------------------------------------------------------------------------------

  /** The job through cadre: seconds of start (none: the server runs), (a), (b), (c), (d), total. */
  private double[] cadre(int n, String app) throws Exception {
    long t0 = System.nanoTime();
    String body = JSON.writeValueAsString(Map.of("name", app, "datacenter", datacenter,
        "services", List.of(Map.of("name", "w", "template", "busybox", "count", n))));
    String create = waitFor(call("POST", "/v1/apps", body));
    long t1 = System.nanoTime();
    if (steps != null && !app.equals("peer-cw")) {
      recordSteps(call("GET", create, null));
    }
    List<String> members = new ArrayList<>();
    for (JsonNode s : call("GET", "/v1/apps/" + app, null).path("services")) {
      for (JsonNode m : s.path("members")) {
        members.add(m.path("name").asText());
      }
    }
    if (members.size() != n) {
      throw new IllegalStateException(app + " has " + members.size() + " members, not " + n);
    }
    each(members, m -> {
      driver.pushFile(m, FileSpec.of("/root/hook.sh", hook, 0755));
      check(m, driver.exec(m, ExecRequest.of("/root/hook.sh")));
    });
    long t2 = System.nanoTime();
    each(members, m -> check(m, driver.exec(m, ExecRequest.of("uname", "-n"))));
    long t3 = System.nanoTime();
    waitFor(call("DELETE", "/v1/apps/" + app, null));
    long t4 = System.nanoTime();
    return new double[] {0, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t4 - t0) / 1e9};
  }

  private static void check(String member, ExecResult r) {
    if (!r.ok()) {
      throw new IllegalStateException(member + ": exit " + r.exitCode() + ": " + r.stderrText());
    }
  }

  private void each(List<String> members, Consumer<String> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<Future<Object>> done = new ArrayList<>();
      for (String m : members) {
        done.add(pool.submit((Callable<Object>) () -> {
          work.accept(m);
          return null;
        }));
      }
      for (Future<Object> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(6))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": HTTP " + resp.statusCode() + ": " + resp.body());
    }
    return JSON.readTree(resp.body());
  }

  /** Waits until the operation the answer names ends; throws unless it succeeded; answers its path. */
  private String waitFor(JsonNode accepted) throws IOException, InterruptedException {
    String op = accepted.path("operation").asText();
    String status;
    JsonNode o;
    do {
      o = call("GET", op + "/wait?timeout=300", null);
      status = o.path("status").asText();
    } while (status.equals("running") || status.equals("pending"));
    if (!status.equals("success")) {
      throw new IllegalStateException("operation " + op + ": " + status + ": " + o.path("error"));
    }
    return op;
  }

  /**
   * With CADRE_BENCH_STEPS set: how long each member spent in each step of create_app, from the
   * operation's steps (a member's step ends at its {@code at}; it began when that member's previous step
   * ended, its first one when the addresses were allocated), over every timed round.
   */
  private final Map<String, Samples> steps = System.getenv("CADRE_BENCH_STEPS") == null ? null : new LinkedHashMap<>();

  private void recordSteps(JsonNode op) {
    java.time.Instant allocated = null;
    Map<String, java.time.Instant> last = new LinkedHashMap<>();
    for (JsonNode st : op.path("steps")) {
      String name = st.path("name").asText();
      java.time.Instant at = java.time.Instant.parse(st.path("at").asText());
      int colon = name.indexOf(": ");
      if (colon < 0) {
        if (name.equals("allocate addresses")) {
          allocated = at;
        }
        continue;
      }
      String member = name.substring(0, colon);
      java.time.Instant from = last.getOrDefault(member, allocated);
      if (from != null) {
        steps.computeIfAbsent(name.substring(colon + 2), Samples::new).add(Duration.between(from, at).toNanos());
      }
      last.put(member, at);
    }
    steps.computeIfAbsent("(operation: created to last step)", Samples::new)
        .add(Duration.between(java.time.Instant.parse(op.path("created").asText()),
            java.time.Instant.parse(op.path("updated").asText())).toNanos());
  }

  private void printSteps() {
    if (steps == null) {
      return;
    }
    System.out.printf("%ncadre's create_app, per member and step (from the operation's steps), ms%n%-34s %8s %8s %8s %6s%n",
        "step", "p50", "p90", "max", "count");
    steps.forEach((k, v) -> System.out.printf("%-34s %8.0f %8.0f %8.0f %6d%n", k, v.median(), v.percentile(90),
        v.percentile(100), v.count()));
  }

  // ---- the other tools: processes that print marks ------------------------------------------

  /**
   * A script run as a process; {@code ""} in its arguments stands for N, {@code "@ip"} for its first address
   * (FIRST_IP + INDEX * N; the N addresses stay within FIRST_IP's last byte). Its stderr goes to
   * LOG_DIR/LABEL.log.
   */
  private static Tool process(Path logs, String label, int index, String firstIp, String... argv) {
    return (n, ignored) -> {
      String[] q = firstIp.split("\\.");
      int first = (Integer.parseInt(q[0]) << 24) | (Integer.parseInt(q[1]) << 16) | (Integer.parseInt(q[2]) << 8)
          | Integer.parseInt(q[3]);
      int mine = first + index * n;
      if (((mine + n - 1) & 0xff) == 0xff || ((mine + n - 1) >>> 8) != (mine >>> 8)) {
        throw new IllegalArgumentException(label + ": its " + n + " addresses from FIRST_IP would leave the last byte's range");
      }
      String ip = (mine >>> 24) + "." + ((mine >>> 16) & 0xff) + "." + ((mine >>> 8) & 0xff) + "." + (mine & 0xff);
      List<String> cmd = new ArrayList<>();
      for (String a : argv) {
        cmd.add(a.isEmpty() ? Integer.toString(n) : a.equals("@ip") ? ip : a);
      }
      File log = logs.resolve(label + ".log").toFile();
      long launched = System.currentTimeMillis();
      Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
          .redirectError(ProcessBuilder.Redirect.appendTo(log)).start();
      Map<String, Double> marks = new LinkedHashMap<>();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          String[] w = line.trim().split("\\s+");
          if (w.length == 3 && w[0].equals("mark")) {
            marks.put(w[1], Double.parseDouble(w[2]));
          }
        }
      }
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || marks.size() != 5) {
        p.destroyForcibly();
        throw new IllegalStateException(label + " failed (exit " + (p.isAlive() ? "-" : p.exitValue()) + ", marks "
            + marks.keySet() + "); see " + log);
      }
      double end = System.currentTimeMillis() / 1e3;
      double begin = marks.get("begin");
      return new double[] {begin - launched / 1e3, marks.get("a") - begin, marks.get("b") - marks.get("a"),
          marks.get("c") - marks.get("b"), marks.get("d") - marks.get("c"), end - launched / 1e3};
    };
  }
}

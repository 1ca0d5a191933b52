package dev.cadre.templates;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Builds a template's LXD image by running its recipe, and caches it by the recipe hash as
 * {@code <cacheDir>/<alias>.tar.gz}. The recipe runs as {@code sh recipe OUT_TARBALL TEMPLATE_DIR WORK_DIR}
 * from a fresh copy of the template folder (with the shared recipes beside it in {@code ../recipes} and
 * the plan in {@code TEMPLATE_DIR/plan.json}); no user data ever reaches it. Each alias is built at most
 * once at a time, by this process (a lock per alias) and by other processes (a file lock in the cache).
 * A failed build leaves no tarball behind and throws with the tail of its log.
 */
public final class ImageBuilder {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(20);
  private static final int LOG_TAIL_LINES = 25;
  private static final int LOG_TAIL_BYTES = 64 * 1024;

  private final Path cacheDir;
  private final TemplateCatalog catalog;
  private final Duration timeout;
  private final Map<String, ReentrantLock> building = new ConcurrentHashMap<>();

  public ImageBuilder(Path cacheDir) {
    this(cacheDir, TemplateCatalog.builtIn(), DEFAULT_TIMEOUT);
  }

  public ImageBuilder(Path cacheDir, TemplateCatalog catalog, Duration timeout) {
    this.cacheDir = cacheDir.toAbsolutePath();
    this.catalog = catalog;
    this.timeout = timeout;
  }

  /** {@code $CADRE_IMAGE_CACHE}, else {@code /var/cache/cadre/images}. */
  public static Path defaultCacheDir() {
    String env = System.getenv("CADRE_IMAGE_CACHE");
    return Path.of(env == null || env.isBlank() ? "/var/cache/cadre/images" : env);
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The cached image of this template, if it was built before. */
  public java.util.Optional<BuiltImage> cached(Template t) {
    Path out = tarball(t);
    return usable(out) ? java.util.Optional.of(new BuiltImage(t.imageAlias(), out)) : java.util.Optional.empty();
  }

  /** The template's image: the cached one when present, else built now (concurrent callers wait for one build). */
  public BuiltImage build(Template t) {
    Map<String, byte[]> files = catalog.files(t).orElseThrow(() -> new InvalidInputException(null,
        "template '" + t.name() + "' (recipe " + t.recipeHash().substring(0, 12) + ") is not in this builder's catalog"));
    String alias = t.imageAlias();
    Path out = tarball(t);
    if (usable(out)) {
      return new BuiltImage(alias, out);
    }
    ReentrantLock lock = building.computeIfAbsent(alias, k -> new ReentrantLock());
    lock.lock();
    try {
      Files.createDirectories(cacheDir);
      try (FileChannel channel = FileChannel.open(cacheDir.resolve(alias + ".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        if (!usable(out)) {
          run(t, files, out);
        }
      }
      return new BuiltImage(alias, out);
    } catch (IOException e) {
      throw new HostFailureException(null, "building image " + alias + " failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private Path tarball(Template t) {
    return cacheDir.resolve(t.imageAlias() + ".tar.gz");
  }

  private static boolean usable(Path tarball) {
    try {
      return Files.isRegularFile(tarball) && Files.size(tarball) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private void run(Template t, Map<String, byte[]> files, Path out) throws IOException {
    String alias = t.imageAlias();
    Path work = Files.createTempDirectory(cacheDir, alias + ".work-");
    Path partial = cacheDir.resolve(alias + ".tar.gz.partial-" + work.getFileName().toString().replaceAll(".*-", ""));
    Path log = cacheDir.resolve(alias + ".log");
    try {
      Path tree = work.resolve("tree");
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path target = tree.resolve(f.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, f.getValue());
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable(f.getKey()) ? "rwxr-xr-x" : "rw-r--r--"));
      }
      Path templateDir = tree.resolve(t.name());
      Files.write(templateDir.resolve("plan.json"), t.plan().toPrettyString().getBytes(StandardCharsets.UTF_8));
      Path scratch = Files.createDirectories(work.resolve("work"));
      ProcessBuilder pb = new ProcessBuilder(List.of("sh", templateDir.resolve("recipe").toString(),
          partial.toString(), templateDir.toString(), scratch.toString()))
          .directory(work.toFile())
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(log.toFile());
      pb.environment().put("CADRE_IMAGE_ALIAS", alias);
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill(p);
        throw new HostFailureException(null, "building image " + alias + " was interrupted");
      }
      if (!done) {
        kill(p);
        throw failure(alias, "timed out after " + timeout.toSeconds() + "s", log);
      }
      if (p.exitValue() != 0) {
        throw failure(alias, "the recipe exited with " + p.exitValue(), log);
      }
      if (!isGzip(partial)) {
        throw failure(alias, "the recipe exited 0 but wrote no gzip tarball to " + partial.getFileName(), log);
      }
      Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
      pruneOlderVersions(t);
    } finally {
      Files.deleteIfExists(partial);
      deleteTree(work);
    }
  }

  /**
   * Removes the cached tarballs of this template's earlier recipes: a recipe change makes a new image,
   * and without this every edit would leave a full image behind. (Lock files stay: another process may
   * hold one.)
   */
  private void pruneOlderVersions(Template t) {
    String prefix = "cadre-" + t.name() + "-";
    try (java.util.stream.Stream<Path> s = Files.list(cacheDir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        boolean sameTemplate = n.startsWith(prefix) && n.substring(prefix.length()).matches("[0-9a-f]{12}\\.(tar\\.gz|log)");
        if (sameTemplate && !n.startsWith(t.imageAlias() + ".")) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // pruning is housekeeping: a failure here must not fail the build that just succeeded
    }
  }

  private static boolean executable(String path) {
    return path.endsWith("/recipe") || path.contains("/hooks/") || path.startsWith(TemplateCatalog.SHARED + "/")
        || path.contains("/bin/") || path.endsWith(".sh");
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isGzip(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    } catch (IOException e) {
      return false;
    }
  }

  private static HostFailureException failure(String alias, String what, Path log) {
    return new HostFailureException(null, "building image " + alias + " failed: " + what
        + "; log " + log + ", last lines:\n" + tail(log));
  }

  /** The last lines of a build log, read from at most its last 64 KiB (a recipe may log without end). */
  static String tail(Path log) {
    try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ)) {
      long from = Math.max(0, in.size() - LOG_TAIL_BYTES);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (in.size() - from));
      while (buf.hasRemaining() && in.read(buf, from + buf.position()) >= 0) {
        // reads until the buffer is full or the file ends
      }
      List<String> lines = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).lines().toList();
      if (from > 0 && !lines.isEmpty()) {
        lines = lines.subList(1, lines.size()); // the first one is cut
      }
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * Removes the work folder without following links and without entering a file system mounted inside
   * it (a recipe killed mid-way may leave /proc or /dev bound inside its root file system).
   */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Set<Path> mounts = mountPointsUnder(dir);
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return mounts.contains(d.toAbsolutePath().normalize()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) {
        try {
          Files.deleteIfExists(d);
        } catch (IOException notEmpty) {
          // a mount point (or what holds one) stays; the log says where the recipe left it
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static Set<Path> mountPointsUnder(Path dir) {
    Set<Path> out = new HashSet<>();
    Path base = dir.toAbsolutePath().normalize();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          Path mount = Path.of(f[4].replace("\\040", " "));
          if (mount.startsWith(base)) {
            out.add(mount);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no mountinfo (not Linux): nothing can be mounted by our recipes there either
    }
    return out;
  }
}

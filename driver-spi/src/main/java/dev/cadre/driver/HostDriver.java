package dev.cadre.driver;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The narrow contract between cadre's control plane and one host. Everything clever (naming,
 * placement, retries, hooks) lives above it; a driver only does these verbs, validates its input
 * before touching the host, and reports failures as {@link DriverException}s naming the host.
 *
 * <p>Every verb is synchronous: it returns when the host has finished the work (drivers wait on the
 * host's own asynchronous operations).
 *
 * <p>Every verb may throw {@link UnreachableException} (no connection could be made) or
 * {@link TimedOutException} (the call did not end within its deadline). A driver hides its host's
 * quirks: it retries what its host reports as briefly busy before giving up with
 * {@link HostBusyException}, and reports what a caller acts on as a type, never as words to match.
 */
public interface HostDriver extends AutoCloseable {
  /** The driver kind: "lxd", "zone", ... */
  String kind();

  /** The name cadre knows this host by; every exception from this driver names it. */
  String hostName();

  /**
   * The identity the host proved on the last connection and that later connections must prove again
   * (an HTTPS server's SHA-256 certificate fingerprint, lower-case hex); null when the transport has none
   * to pin (a local socket, ssh with its own known_hosts). A connection to a host opened with a pinned
   * identity that presents another throws {@link ServerIdentityException}.
   */
  default String serverIdentity() {
    return null;
  }

  /** Reads identity, version, capacity, use and networks. Throws {@link UnavailableException} when down. */
  HostInfo probe();

  /** True when an image with this alias is present. */
  boolean hasImage(String alias);

  /** Makes the image available under its alias, importing the tarball if the alias is missing. */
  void ensureImage(ImageSource image);

  /**
   * Creates a stopped instance. On any failure nothing of it is left on the host. Throws
   * {@link ConflictException} when the name is taken, {@link NotFoundException} for an unknown image.
   */
  Instance create(InstanceSpec spec);

  /**
   * Starts a stopped instance. Throws {@link AddressInUseException} when the host's network already has
   * the instance's static address on another NIC.
   */
  void start(String name);

  /** Stops gracefully, forcing the stop when the instance has not shut down within {@code timeout}. */
  void stop(String name, Duration timeout);

  /**
   * Stops the instance at once, without a shutdown inside it: for a container whose services already
   * stopped and whose data is on disk (what a move's pause does after the {@code stop} hook). Drivers that
   * cannot force a stop stop it with a short grace.
   */
  default void stopNow(String name) {
    stop(name, Duration.ofSeconds(1));
  }

  /**
   * Deletes the instance (stopping it first, forcibly) and its snapshots. A host still busy with the
   * instance is waited for, within bounds; after that, {@link HostBusyException}.
   */
  void delete(String name);

  Optional<Instance> find(String name);

  /** Like {@link #find} but throws {@link NotFoundException}. */
  default Instance get(String name) {
    return find(name).orElseThrow(() -> new NotFoundException(hostName(), "instance '" + name + "' not found"));
  }

  List<Instance> list();

  /**
   * Runs a command inside a running instance. A non-zero exit is a result, not an exception. Each output
   * stream is read to its end but only {@link ExecRequest#outputLimit()} bytes of it are kept (the result
   * counts the rest). A command still running at {@link ExecRequest#timeout()} is killed and the exec
   * throws {@link TimedOutException}.
   */
  ExecResult exec(String name, ExecRequest request);

  /** Writes a file held in memory (small files: hooks, the agent, settings). */
  void pushFile(String name, FileSpec file);

  /**
   * Writes the local file {@code source} into the instance at {@code path}, streamed (never held in memory
   * whole): archives of a service's data. A driver that cannot stream files throws
   * {@link UnavailableException}.
   */
  default void pushFile(String name, String path, java.nio.file.Path source, int mode) {
    throw new UnavailableException(hostName(), kind() + " hosts cannot stream files into an instance yet");
  }

  /**
   * Copies the file at {@code path} in the instance to {@code out}, streamed (never held in memory whole),
   * and answers how many bytes it wrote. A file larger than {@code maxBytes} is refused with
   * {@link FileTooLargeException} once that many bytes have been written (or at once, when the host says
   * its size up front); {@link NotFoundException} when there is no such file. A driver that cannot stream
   * files throws {@link UnavailableException}.
   */
  default long pullFile(String name, String path, java.io.OutputStream out, long maxBytes) {
    throw new UnavailableException(hostName(), kind() + " hosts cannot stream files out of an instance yet");
  }

  /**
   * Makes a service address reach this instance: the host routes {@code address} to the instance's NIC,
   * the NIC's filter lets the instance use it (and no other instance), and a running instance holds it and
   * announces it to its neighbours. Safe to repeat. A driver that cannot move addresses throws
   * {@link UnavailableException} naming what it lacks.
   */
  default void assignAddress(String name, String address) {
    throw new UnavailableException(hostName(), kind() + " hosts cannot carry service addresses yet");
  }

  /**
   * Takes a service address away from this instance: the filter refuses it from then on (the fence), and a
   * running instance drops it. Safe to repeat, also on a stopped instance.
   */
  default void unassignAddress(String name, String address) {
    throw new UnavailableException(hostName(), kind() + " hosts cannot carry service addresses yet");
  }

  /** The service addresses assigned to this instance (empty when none, or when the driver has none). */
  default java.util.Set<String> assignedAddresses(String name) {
    return java.util.Set.of();
  }

  // Snapshots have no caller in the control plane yet: moving apps between hosts (with copyTo and a
  // refresh) will need them, so every driver keeps them and the shared suite holds it to them.

  void createSnapshot(String name, String snapshot);

  List<String> listSnapshots(String name);

  void deleteSnapshot(String name, String snapshot);

  /**
   * Copies a stopped instance (with its snapshots) to {@code target}, a driver of the same kind. With
   * {@link CopyRequest#refresh()} only the difference is sent to the existing copy.
   */
  void copyTo(HostDriver target, CopyRequest request);

  /**
   * {@link #copyTo(HostDriver, CopyRequest)} that tells {@code sent} how many bytes it has sent so far, as it
   * goes, so that a copy of many seconds shows it moves. The figures never go down and come at most every
   * 500 ms while the copy runs, plus once as it ends; a driver that cannot tell reports nothing (this
   * default, for drivers that do not know). {@code sent} runs on the copying thread and must return
   * quickly; what it throws is ignored, never the copy's failure.
   */
  default void copyTo(HostDriver target, CopyRequest request, java.util.function.LongConsumer sent) {
    copyTo(target, request);
  }

  @Override
  void close();
}

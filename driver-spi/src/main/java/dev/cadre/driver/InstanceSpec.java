package dev.cadre.driver;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What to create: a system container with its own init, limits, one NIC with a static address, and
 * user metadata (stored on the host with the instance so that a host can be read back into cadre).
 */
public record InstanceSpec(
    String name,
    String image,
    int cpus,
    long memoryMiB,
    long rootDiskMiB,
    int processes,
    NicSpec nic,
    Map<String, String> metadata) {

  public InstanceSpec {
    Validation.requireInstanceName(name);
    Validation.requireImageAlias(image);
    if (cpus < 0 || cpus > 1024) {
      throw new InvalidInputException(null, "cpus must be between 0 (no limit) and 1024, got " + cpus);
    }
    if (memoryMiB < 0 || memoryMiB > 16L * 1024 * 1024) {
      throw new InvalidInputException(null, "memoryMiB must be between 0 (no limit) and 16 TiB, got " + memoryMiB);
    }
    if (rootDiskMiB < 0 || rootDiskMiB > 1024L * 1024 * 1024) {
      throw new InvalidInputException(null, "rootDiskMiB must be between 0 (pool default) and 1 PiB, got " + rootDiskMiB);
    }
    if (processes < 0 || processes > 10_000_000) {
      throw new InvalidInputException(null, "processes must be between 0 (no limit) and 10000000, got " + processes);
    }
    metadata = metadata == null ? Map.of() : Map.copyOf(new TreeMap<>(metadata));
    metadata.forEach((k, v) -> Validation.requireMetadata(k, v));
  }

  public static Builder builder(String name, String image) {
    return new Builder(name, image);
  }

  /** Most parts are optional; the builder keeps call sites readable. */
  public static final class Builder {
    private final String name;
    private final String image;
    private int cpus;
    private long memoryMiB;
    private long rootDiskMiB;
    private int processes;
    private NicSpec nic;
    private final Map<String, String> metadata = new TreeMap<>();

    private Builder(String name, String image) {
      this.name = Objects.requireNonNull(name, "name");
      this.image = Objects.requireNonNull(image, "image");
    }

    public Builder cpus(int cpus) {
      this.cpus = cpus;
      return this;
    }

    public Builder memoryMiB(long memoryMiB) {
      this.memoryMiB = memoryMiB;
      return this;
    }

    public Builder rootDiskMiB(long rootDiskMiB) {
      this.rootDiskMiB = rootDiskMiB;
      return this;
    }

    /** The most processes (threads included) the instance may run at once: a fork bomb inside stops there. */
    public Builder processes(int processes) {
      this.processes = processes;
      return this;
    }

    public Builder nic(String network, String ipv4) {
      this.nic = new NicSpec(network, ipv4);
      return this;
    }

    public Builder metadata(String key, String value) {
      this.metadata.put(key, value);
      return this;
    }

    public InstanceSpec build() {
      return new InstanceSpec(name, image, cpus, memoryMiB, rootDiskMiB, processes, nic, metadata);
    }
  }
}

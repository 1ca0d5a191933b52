package dev.cadre.manager.store;

/** The CPUs, memory and disk that cadre's members on {@code host} hold, summed (see {@link Store#placedUse()}). */
public record HostUse(String host, long cpus, long memoryMiB, long diskMiB) {}

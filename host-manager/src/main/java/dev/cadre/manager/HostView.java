package dev.cadre.manager;

import java.time.Instant;

/**
 * A registered host as operators see it. {@code state}: ready, draining, drained, unreachable, untrusted.
 * {@code fingerprint}: the SHA-256 fingerprint of the server certificate pinned at registration (HTTPS LXD
 * hosts; null for a local socket or ssh).
 */
public record HostView(
    String name,
    String driver,
    String endpoint,
    String datacenter,
    String network,
    String state,
    int cpus,
    long memoryBytes,
    long memoryUsedBytes,
    long diskBytes,
    long diskUsedBytes,
    int members,
    String lastError,
    Instant updated,
    String fingerprint) {}

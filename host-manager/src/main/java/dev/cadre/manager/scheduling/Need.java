package dev.cadre.manager.scheduling;

/** What one member of {@code service} needs, from its template's resources. */
public record Need(String service, int cpus, long memoryMiB, long diskMiB) {}

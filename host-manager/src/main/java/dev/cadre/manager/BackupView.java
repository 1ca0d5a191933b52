package dev.cadre.manager;

import java.time.Instant;

/**
 * A stored backup of a service's data: what it was taken from, when, and the archive's size and sha256
 * (checked again before a restore pushes it).
 */
public record BackupView(String id, String app, String service, String template, String topology, Instant created,
    long bytes, String sha256) {}

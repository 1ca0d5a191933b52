package dev.cadre.manager.store;

import java.time.Instant;

/** {@code state}: creating, running, degraded, failed, deleting. */
public record AppRecord(String name, String datacenter, String state, boolean keepFailed, Instant created) {}

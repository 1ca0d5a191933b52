package dev.cadre.manager.store;

import java.time.Instant;

/**
 * A server sharing the store, as its row shows it: {@code alive} while its heartbeat is recent,
 * {@code leader} while it holds the unexpired lease of background work ({@code epoch} is that lease's).
 */
public record ServerRecord(String id, String name, Instant started, Instant heartbeat, boolean alive, boolean leader,
    long epoch) {}

package dev.cadre.manager;

import java.time.Instant;

/**
 * A server sharing the control plane's store, as {@code GET /v1} lists it. {@code name}: its process and
 * host ({@code pid@host}); {@code heartbeat}: when it last beat its row (the database's clock); {@code alive}:
 * it beat within the lease's expiry; {@code leader}: it holds the lease of background work, of
 * {@code epoch}; {@code self}: the server that answered.
 */
public record ServerView(String id, String name, Instant started, Instant heartbeat, boolean alive, boolean leader,
    long epoch, boolean self) {}

package dev.cadre.manager;

/** What {@code GET /v1} answers. */
public record Summary(String version, String store, int datacenters, int hosts, int apps, int members, int operationsRunning) {}

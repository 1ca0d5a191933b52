package dev.cadre.manager;

/** Where a backup is restored to: a new app {@code app} in {@code datacenter}, with one service {@code service}. */
public record RestoreRequest(String app, String service, String datacenter) {}

package dev.cadre.manager.store;

import java.time.Instant;

/** {@code status}: running, done, failed, undone. */
public record StepRecord(String name, String status, String detail, Instant at) {}

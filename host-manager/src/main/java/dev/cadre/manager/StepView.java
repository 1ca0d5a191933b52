package dev.cadre.manager;

import java.time.Instant;

/** One recorded step of an operation; {@code status}: running, done, failed, undone. */
public record StepView(String name, String status, String detail, Instant at) {}

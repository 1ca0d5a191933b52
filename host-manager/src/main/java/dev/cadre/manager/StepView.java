package dev.cadre.manager;

import java.time.Instant;

/**
 * One recorded step of an operation; {@code status}: running, done, failed, undone. A running step's
 * {@code detail} changes in place while its work goes on (a copy's bytes sent so far); {@code at} is when the
 * step last changed. Steps are listed in the order they began.
 */
public record StepView(String name, String status, String detail, Instant at) {}

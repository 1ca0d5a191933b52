package dev.cadre.manager.store;

import dev.cadre.manager.operations.StepStatus;
import java.time.Instant;

public record StepRecord(String name, StepStatus status, String detail, Instant at) {}

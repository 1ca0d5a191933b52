package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.AppState;
import java.time.Instant;

public record AppRecord(String name, String datacenter, AppState state, boolean keepFailed, Instant created) {}

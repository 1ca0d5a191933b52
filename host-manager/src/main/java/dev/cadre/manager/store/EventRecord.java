package dev.cadre.manager.store;

import java.time.Instant;

/** A stored event; {@code data} is a JSON object. */
public record EventRecord(long id, String type, String subject, String data, Instant at) {}

package dev.cadre.manager.store;

import java.time.Instant;

/** A datacenter: one network (subnet, gateway) and the pool cadre hands member addresses out of. */
public record DatacenterRecord(String name, String subnet, String gateway, String poolStart, String poolEnd, Instant created) {}

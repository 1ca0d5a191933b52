package dev.cadre.manager;

/** A request to register a host; {@code trust} is a trust password or token, used once and never stored. */
public record HostRequest(String name, String driver, String endpoint, String datacenter, String network, String trust) {}

package dev.cadre.manager;

/** {@code state}: creating, configuring, starting, running, unhealthy, failed, deleting. */
public record MemberView(String name, String role, String host, String ip, String state, String error) {}

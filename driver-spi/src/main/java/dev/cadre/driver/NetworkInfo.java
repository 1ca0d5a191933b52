package dev.cadre.driver;

/** A network on the host that instances can join; {@code ipv4Cidr} is the gateway address with prefix. */
public record NetworkInfo(String name, String type, boolean managed, String ipv4Cidr) {}

package dev.cadre.api.routes;

/**
 * {@code POST /v1/hosts/{host}/trust}: {@code fingerprint} is the SHA-256 fingerprint of the certificate the
 * host presents now (checked by the operator out of band, e.g. {@code lxc info} on the host); {@code trust}
 * (optional) a trust password or token for a server that does not know cadre's client certificate yet.
 * The control plane validates both.
 */
public record TrustBody(String fingerprint, String trust) {}

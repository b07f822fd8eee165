package dev.palisade.model;

/**
 * What a flow is about, once pods are resolved to workloads: source identity to destination
 * identity on the server's port. The client's ephemeral port is never part of it, so a thousand
 * connections are one key.
 */
public record FlowKey(long source, long destination, Protocol protocol, int port) {
  public FlowKey {
    if (protocol == null) {
      throw new IllegalArgumentException("flow protocol is missing");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("flow port must be 1..65535, not " + port);
    }
    if (source < 1 || destination < 1) {
      throw new IllegalArgumentException("flow identities must be positive: " + source + " -> " + destination);
    }
  }
}

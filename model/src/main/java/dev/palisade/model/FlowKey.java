package dev.palisade.model;

/**
 * What a flow is about, once pods are resolved to workloads: source identity to destination
 * identity on the server's port. The client's ephemeral port is never part of it, so a thousand
 * connections are one key.
 *
 * <p>{@code outside} tells flows to the world apart (null for in-cluster flows): for a flow whose
 * destination is {@link Identities#WORLD}, {@code dns:NAME} when the source pod had resolved NAME
 * to the address, else the address itself, so review can approve a name rather than an address.
 */
public record FlowKey(long source, long destination, Protocol protocol, int port, String outside) {
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
    if (outside != null) {
      if (destination != Identities.WORLD) {
        throw new IllegalArgumentException("flow outside '" + outside + "' is only for flows to the world identity, not to "
            + destination);
      }
      outside = checkOutside(outside);
    }
  }

  /** An in-cluster flow (or one to the world with nothing known about the far end). */
  public FlowKey(long source, long destination, Protocol protocol, int port) {
    this(source, destination, protocol, port, null);
  }

  /** {@code dns:NAME} (normalized) or an IP address; IllegalArgumentException otherwise. */
  public static String checkOutside(String outside) {
    if (outside.startsWith("dns:")) {
      String name = outside.substring(4);
      if (!NamePatterns.isName(name)) {
        throw new IllegalArgumentException("flow outside '" + outside + "': not a DNS name after dns:");
      }
      return "dns:" + NamePatterns.normalize(name);
    }
    if (!outside.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:.]{2,45}") || !outside.matches(".*[.:].*")) {
      throw new IllegalArgumentException("flow outside '" + outside + "': neither dns:NAME nor an IP address");
    }
    return outside;
  }
}

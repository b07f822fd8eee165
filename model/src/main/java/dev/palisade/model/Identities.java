package dev.palisade.model;

/**
 * Numeric identities. Workload identities start at {@link #FIRST_WORKLOAD}; below it are reserved
 * ones for peers that are not workloads, so a packet from them still has an identity.
 */
public final class Identities {
  /** Anything outside the cluster (a world CIDR). */
  public static final long WORLD = 1;
  /** A node or the host network (kubelet probes, hostNetwork pods). */
  public static final long HOST = 2;
  /** A pod IP the agent has no identity for yet. */
  public static final long UNKNOWN = 3;
  public static final long FIRST_WORKLOAD = 256;

  private Identities() {}

  public static boolean isReserved(long id) {
    return id < FIRST_WORKLOAD;
  }

  public static String reservedName(long id) {
    if (id == WORLD) {
      return "world";
    }
    if (id == HOST) {
      return "host";
    }
    if (id == UNKNOWN) {
      return "unknown";
    }
    return "reserved:" + id;
  }
}

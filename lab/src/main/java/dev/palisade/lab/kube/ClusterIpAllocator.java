package dev.palisade.lab.kube;

import java.util.Optional;
import java.util.Set;

/**
 * Pure: the cluster IP a new Service gets, as the API server's allocator hands them out from the
 * service CIDR 10.96.0.0/16. Two addresses are held back for the Services every cluster has and
 * that clients find by address rather than by name: 10.96.0.1 for {@code default/kubernetes} (the
 * API server) and 10.96.0.10 for {@code kube-system/kube-dns} (what every pod's resolv.conf
 * names). Those two get their address; every other Service the lowest free one.
 */
public final class ClusterIpAllocator {
  public static final String SERVICE_CIDR = "10.96.0.0/16";
  public static final String API_SERVER_IP = "10.96.0.1";
  public static final String DNS_IP = "10.96.0.10";
  public static final String API_SERVICE = "default/kubernetes";
  public static final String DNS_SERVICE = "kube-system/kube-dns";

  private ClusterIpAllocator() {}

  /**
   * @param service namespace/name of the Service to allocate for
   * @param used every cluster IP some Service holds now
   * @return the address, or empty when the CIDR is full
   */
  public static Optional<String> allocate(String service, Set<String> used) {
    if (API_SERVICE.equals(service) && !used.contains(API_SERVER_IP)) {
      return Optional.of(API_SERVER_IP);
    }
    if (DNS_SERVICE.equals(service) && !used.contains(DNS_IP)) {
      return Optional.of(DNS_IP);
    }
    // .0.0 is the network address and .255.255 the broadcast one; the API server skips both.
    for (int i = 1; i < 65535; i++) {
      String candidate = "10.96." + (i >> 8) + "." + (i & 0xff);
      if (!used.contains(candidate) && !candidate.equals(API_SERVER_IP) && !candidate.equals(DNS_IP)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether this Service type gets a cluster IP: all but ExternalName (headless "None" is kept as given). */
  public static boolean needsOne(String type, String clusterIp) {
    return (clusterIp == null || clusterIp.isEmpty()) && !"ExternalName".equals(type);
  }
}

package dev.palisade.dataplane.agent;

import dev.palisade.model.WorkloadRef;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * What a sync reads from each pod (its key, address, phase, node, workload), read once per pod
 * object: an informer replaces a pod's object on every update and never mutates one it handed
 * out, so the facts are kept with the object ({@link PodAddresses} keeps them per pod). The
 * workload is resolved again when the pod's own owner (its ReplicaSet or Job) changed since
 * ({@link OwnerVersions}). At 10k pods, reading every pod again on every sync, or on every new
 * ReplicaSet of the cluster, was most of the agent's time between a pod's creation and its rules.
 */
final class PodFacts {
  /** One pod object's facts, plus what the agent last recorded for it in its IP history. */
  static final class Facts {
    final String key;
    /** status.podIP, null when absent or blank. */
    final String statusIp;
    final boolean terminal;
    final boolean local;
    /** status.podIPs, non-blank ones, as listed. */
    final java.util.List<String> podIps;
    /** statusIp was parsed as IPv4 once: an object's address never changes, so neither does that. */
    boolean statusIpChecked;
    /** The owner the workload is read from ({@link OwnerVersions#ownerKeyOf}), null if none. */
    private final String ownerKey;
    /** That owner's version when the workload was resolved; -1: not resolved yet. */
    private long ownerVersion = -1;
    private WorkloadRef workload;
    private String workloadKey;
    String historyIp;
    long historyId = Long.MIN_VALUE;

    private Facts(Pod p, String nodeName) {
      key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
      String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
      statusIp = ip == null || ip.isBlank() ? null : ip;
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
      local = p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName());
      java.util.List<String> ips = new java.util.ArrayList<>();
      if (p.getStatus() != null && p.getStatus().getPodIPs() != null) {
        for (io.fabric8.kubernetes.api.model.PodIP a : p.getStatus().getPodIPs()) {
          if (a != null && a.getIp() != null && !a.getIp().isBlank()) {
            ips.add(a.getIp());
          }
        }
      }
      podIps = java.util.List.copyOf(ips);
      ownerKey = OwnerVersions.ownerKeyOf(p);
    }

    /** Whether the owner this pod's workload was read from changed since (then it is resolved again). */
    boolean ownerMoved(OwnerVersions owners) {
      return ownerVersion != owners.of(ownerKey);
    }

    WorkloadRef workload() {
      return workload;
    }

    /** The workload's text form, the key identities are filed under. */
    String workloadKey() {
      return workloadKey;
    }
  }

  private final String nodeName;

  PodFacts(String nodeName) {
    this.nodeName = nodeName;
  }

  /**
   * The facts of {@code p}: {@code earlier} (facts read from this same object, or null) when its
   * workload was resolved at its owner's current version, else read or resolved again.
   */
  Facts read(Pod p, Facts earlier, OwnerVersions owners, WorkloadResolver resolver) {
    Facts f = earlier != null ? earlier : new Facts(p, nodeName);
    // the version is read before the owner is looked up: an owner changing in between moves the
    // version after this read, so the next sync (its pods are marked changed) resolves again
    long version = owners.of(f.ownerKey);
    if (f.ownerVersion != version) {
      f.workload = resolver.workloadOf(p);
      f.workloadKey = f.workload.toString();
      f.ownerVersion = version;
    }
    return f;
  }

  /** namespace/name, the informer store's key ("?" parts where the object has none). */
  static String keyOf(Pod p) {
    var m = p.getMetadata();
    return m == null ? "?/?" : m.getNamespace() + "/" + m.getName();
  }
}

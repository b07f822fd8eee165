package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.KeptWhileUsed;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.IdentityHashMap;

/**
 * What a sync reads from each pod (its key, address, phase, node, workload), read once per pod
 * object and kept while the informer still holds that same instance: an informer replaces a pod's
 * object on every update and never mutates one it handed out. The workload is resolved again when
 * an owner (ReplicaSet, Job) changed since. At 10k pods, reading every pod again on every sync was
 * most of the agent's time between a pod's creation and its rules. Facts of pods not seen in the
 * latest sync are dropped. Not thread-safe: the agent's loop owns it.
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
    private long ownersVersion;
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
  private final KeptWhileUsed<Pod, Facts> facts = new KeptWhileUsed<>(IdentityHashMap::new);
  private long ownersVersion;

  PodFacts(String nodeName) {
    this.nodeName = nodeName;
  }

  /** Starts a sync; {@code ownersVersion} changes whenever an owner object did. */
  void begin(long ownersVersion) {
    this.ownersVersion = ownersVersion;
    facts.begin();
  }

  Facts of(Pod p, WorkloadResolver resolver) {
    Facts f = facts.get(p, pod -> {
      Facts fresh = new Facts(pod, nodeName);
      fresh.ownersVersion = ownersVersion - 1;
      return fresh;
    });
    if (f.ownersVersion != ownersVersion) {
      f.workload = resolver.workloadOf(p);
      f.workloadKey = f.workload.toString();
      f.ownersVersion = ownersVersion;
    }
    return f;
  }

  /**
   * The facts of {@code p}: {@code earlier} (facts read from this same object, or null) when its
   * workload was resolved at {@code ownersVersion}, else read or resolved again. For callers that
   * keep facts per pod themselves ({@link PodAddresses}).
   */
  Facts read(Pod p, Facts earlier, long ownersVersion, WorkloadResolver resolver) {
    Facts f = earlier;
    if (f == null) {
      f = new Facts(p, nodeName);
      f.ownersVersion = ownersVersion - 1;
    }
    if (f.ownersVersion != ownersVersion) {
      f.workload = resolver.workloadOf(p);
      f.workloadKey = f.workload.toString();
      f.ownersVersion = ownersVersion;
    }
    return f;
  }

  /** namespace/name, the informer store's key ("?" parts where the object has none). */
  static String keyOf(Pod p) {
    var m = p.getMetadata();
    return m == null ? "?/?" : m.getNamespace() + "/" + m.getName();
  }

  /** How many pod objects are remembered (for tests). */
  int size() {
    return facts.size();
  }
}

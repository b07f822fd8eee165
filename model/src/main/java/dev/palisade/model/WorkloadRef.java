package dev.palisade.model;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A workload: the root owner of its pods (Deployment, StatefulSet, DaemonSet, CronJob, Job) or the
 * bare pod itself, in its namespace. The unit identities, modes and flow edges are about.
 */
public record WorkloadRef(String namespace, String kind, String name) implements Comparable<WorkloadRef> {
  public static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet", "ReplicationController", "Pod");
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public WorkloadRef {
    if (namespace == null || !DNS_NAME.matcher(namespace).matches()) {
      throw new IllegalArgumentException("workload namespace '" + namespace + "' is not a valid name");
    }
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("workload kind '" + kind + "' must be one of " + KINDS);
    }
    if (name == null || !DNS_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("workload name '" + name + "' is not a valid name");
    }
  }

  /** Parses {@code NS/KIND/NAME}. */
  public static WorkloadRef parse(String text) {
    String[] p = text == null ? new String[0] : text.split("/");
    if (p.length != 3) {
      throw new IllegalArgumentException("workload must be NS/KIND/NAME, not '" + text + "'");
    }
    return new WorkloadRef(p[0], p[1], p[2]);
  }

  @Override
  public String toString() {
    return namespace + "/" + kind + "/" + name;
  }

  @Override
  public int compareTo(WorkloadRef o) {
    return toString().compareTo(o.toString());
  }
}

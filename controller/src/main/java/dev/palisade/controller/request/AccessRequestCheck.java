package dev.palisade.controller.request;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestSpec;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an {@link AccessRequest}'s spec into the edge it asks for, or says what is wrong with it
 * (the status message of phase Invalid). Pure but for {@link Ends}, which answers what exists: the
 * CRD's schema refuses malformed specs where the API server checks it, and this checks the same
 * again (a CRD may be older than the controller) plus what no schema can: that the ends exist.
 */
public final class AccessRequestCheck {
  /** Longer than any vertex name; the CRD says the same. */
  static final int MAX_END = 330;
  static final int MAX_REASON = 1000;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  /** The kinds a workload vertex is named by, as the user may spell them (any case). */
  private static final Map<String, String> KINDS = Map.of("deployment", "Deployment", "statefulset", "StatefulSet",
      "daemonset", "DaemonSet", "cronjob", "CronJob", "job", "Job", "pod", "Pod");

  /** What exists now (the controller's informers, on its loop thread). */
  public interface Ends {
    boolean workloadExists(String namespace, String kind, String name);

    /** The workload vertex (NS/KIND/NAME) a pod belongs to, empty when the pod is not known. */
    Optional<String> workloadOfPod(String namespace, String pod);
  }

  /** Whether a workload of a kind exists (the controller's informers). */
  public interface Exists {
    boolean workloadExists(String namespace, String kind, String name);
  }

  /** Ends from the controller's lookups: {@code podWorkload} takes NS/POD. */
  public static Ends ends(Exists exists, java.util.function.Function<String, Optional<String>> podWorkload) {
    return new Ends() {
      @Override
      public boolean workloadExists(String namespace, String kind, String name) {
        return exists.workloadExists(namespace, kind, name);
      }

      @Override
      public Optional<String> workloadOfPod(String namespace, String pod) {
        return podWorkload.apply(namespace + "/" + pod);
      }
    };
  }

  /** The outcome: the edge, or why there is none. */
  public record Checked(EdgeKey edge, String problem) {
    static Checked invalid(String problem) {
      return new Checked(null, problem);
    }

    public boolean valid() {
      return edge != null;
    }
  }

  private AccessRequestCheck() {}

  public static Checked check(AccessRequestSpec spec, Ends ends) {
    if (spec == null) {
      return Checked.invalid("spec: required (source, destination, port, protocol, reason)");
    }
    if (spec.port == null || spec.port < 1 || spec.port > 65535) {
      return Checked.invalid("spec.port: must be a port number 1..65535, not " + spec.port);
    }
    Protocol protocol;
    try {
      protocol = Protocol.valueOf(String.valueOf(spec.protocol));
    } catch (IllegalArgumentException e) {
      return Checked.invalid("spec.protocol: must be TCP, UDP or SCTP, not '" + spec.protocol + "'");
    }
    if (spec.reason == null || spec.reason.isBlank() || spec.reason.length() > MAX_REASON) {
      return Checked.invalid("spec.reason: required, 1.." + MAX_REASON + " characters saying why the edge is needed");
    }
    String src;
    String dst;
    try {
      src = end("spec.source", spec.source, ends);
      dst = end("spec.destination", spec.destination, ends);
    } catch (IllegalArgumentException e) {
      return Checked.invalid(e.getMessage());
    }
    return new Checked(new EdgeKey(src, dst, protocol, spec.port), null);
  }

  /** NS/KIND/NAME of a workload that exists, or NS/POD of a pod whose workload is known: the vertex. */
  static String end(String field, String ref, Ends ends) {
    if (ref == null || ref.isBlank() || ref.length() > MAX_END) {
      throw new IllegalArgumentException(field + ": required, a workload NS/KIND/NAME or a pod NS/POD");
    }
    String[] p = ref.split("/", -1);
    if ((p.length != 2 && p.length != 3) || !DNS_LABEL.matcher(p[0]).matches()
        || !NAME.matcher(p[p.length - 1]).matches()) {
      throw new IllegalArgumentException(field + ": '" + ref + "' is not a workload NS/KIND/NAME or a pod NS/POD");
    }
    if (p.length == 2) {
      return ends.workloadOfPod(p[0], p[1]).orElseThrow(() -> new IllegalArgumentException(field
          + ": no pod '" + p[1] + "' in namespace '" + p[0] + "' (name a workload NS/KIND/NAME, or a running pod)"));
    }
    String kind = KINDS.get(p[1].toLowerCase(Locale.ROOT));
    if (kind == null) {
      throw new IllegalArgumentException(field + ": kind '" + p[1] + "' is not Deployment, StatefulSet, DaemonSet, "
          + "CronJob, Job or Pod");
    }
    if (kind.equals("Pod")) {
      // a pod of a Deployment is the Deployment in the graph: its workload, as for NS/POD
      return end(field, p[0] + "/" + p[2], ends);
    }
    if (!ends.workloadExists(p[0], kind, p[2])) {
      throw new IllegalArgumentException(field + ": no " + kind + " '" + p[2] + "' in namespace '" + p[0] + "'");
    }
    return p[0] + "/" + kind + "/" + p[2];
  }

  /**
   * The review id of a decision on this request at its current generation: sending the decision
   * again is answered from the audit log, and an edited request (a new generation) is a new one.
   */
  public static String requestId(AccessRequest r) {
    Long gen = r.getMetadata().getGeneration();
    return "ar:" + r.getMetadata().getUid() + ":" + (gen == null ? 1 : gen);
  }
}

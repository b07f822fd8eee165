package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.netpol.IsolatingPolicies;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.dataplane.render.ConnectionVerdict.Side;
import dev.palisade.dataplane.render.ConnectionVerdict.Stage;
import dev.palisade.dataplane.render.ConnectionVerdict.Verdict;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pure: why a NEW connection SRC -> DST PORT/PROTO is allowed or dropped now, for
 * {@code palisade why}. It does not re-implement the rules: it computes each involved node's
 * rules with the agent's own {@link NodeRulesCalculator} (failsafe, NetworkPolicy, AllowList and
 * mode, fail closed) and judges them with {@link ConnectionVerdict}, the function the agent uses
 * on live connections. A packet crosses the forward hook of the source's node (its egress) and
 * then of the destination's node (its ingress); the first drop decides. Then it names what
 * decided: the failsafe, the NetworkPolicies that isolate the end, the edge's review status
 * (rejected or not approved) or the mode, and lists the nearest approved edges.
 */
public final class WhyExplainer {
  /** One end: its address, the node it runs on (null for an address outside the cluster), its graph vertex. */
  public record End(String ip, String node, Pod pod, String vertex) {}

  /** An edge of the reviewed graph as the controller lists it; status learned, approved or rejected. */
  public record GraphEdge(String source, String destination, String protocol, int port, String status) {
    public String text() {
      return source + " -> " + destination + " " + port + "/" + protocol;
    }
  }

  /**
   * The answer. {@code decidedBy}: "failsafe node|dns|api-server", "NetworkPolicy NS/NAME[, ...]",
   * "rejected", "not approved", "mode learn", "mode monitor", "approved", "ipv6 closed" or
   * "unrestricted"; {@code reason} says it in a sentence; modes are learn/monitor/enforce or null
   * for an end outside the cluster.
   */
  public record Explanation(boolean allowed, String decidedBy, String reason, End source, End destination,
      String sourceMode, String destinationMode, List<String> nodes, List<String> logs, List<String> nearestApproved) {
    public String verdict() {
      return allowed ? "allow" : "deny";
    }
  }

  private static final int NEAREST = 5;

  private WhyExplainer() {}

  /** SRC or DST as the user wrote it: NS/KIND/NAME, NS/POD or an address; bad or unknown input is named. */
  public static End resolve(ClusterSnapshot s, String ref) {
    if (ref == null || ref.isBlank()) {
      throw new IllegalArgumentException("an end must be NS/KIND/NAME, NS/POD or an address, not empty");
    }
    WorkloadResolver owners = new WorkloadResolver(s.owners());
    String[] parts = ref.split("/", -1);
    if (parts.length == 1) {
      try {
        Interval.parseIp(ref);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + ref + "' is not NS/KIND/NAME, NS/POD or an IPv4 address");
      }
      for (Pod p : live(s)) {
        if (ref.equals(p.getStatus().getPodIP())) {
          return end(p, owners);
        }
      }
      return new End(ref, null, null, ref);
    }
    if (parts.length == 2) {
      for (Pod p : s.pods()) {
        if (parts[0].equals(p.getMetadata().getNamespace()) && parts[1].equals(p.getMetadata().getName())) {
          if (!live(s).contains(p)) {
            throw new IllegalArgumentException("pod " + ref + " has no IPv4 address (not running yet, or finished)");
          }
          return end(p, owners);
        }
      }
      throw new IllegalArgumentException("no pod " + ref);
    }
    if (parts.length != 3) {
      throw new IllegalArgumentException("'" + ref + "' is not NS/KIND/NAME, NS/POD or an address");
    }
    WorkloadRef w = WorkloadRef.parse(ref);
    for (Pod p : live(s).stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList()) {
      if (w.equals(owners.workloadOf(p))) {
        return end(p, owners);
      }
    }
    throw new IllegalArgumentException("workload " + ref + " has no running pod with an IPv4 address");
  }

  /** The verdict for src -> dst port/proto, from each involved node's rules as the agent computes them. */
  public static Explanation explain(ClusterSnapshot s, FailsafeBuilder.Config failsafe, List<GraphEdge> graph,
      End src, End dst, Proto proto, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, not " + port);
    }
    Set<String> nodes = new LinkedHashSet<>();
    if (src.node() != null) {
      nodes.add(src.node());
    }
    if (dst.node() != null) {
      nodes.add(dst.node());
    }
    String srcMode = null;
    String dstMode = null;
    Verdict decided = null;
    String decidedOn = null;
    List<String> logs = new ArrayList<>();
    for (String node : nodes) {
      NodeRules rules = new NodeRulesCalculator(node, failsafe).calculate(s, new OwnerVersions(), Map.of(), (ip, pod, id) -> {}).rules();
      if (node.equals(src.node())) {
        srcMode = modeOf(rules, src.ip(), false);
      }
      if (node.equals(dst.node())) {
        dstMode = modeOf(rules, dst.ip(), true);
      }
      Verdict v = new ConnectionVerdict(rules).judge(src.ip(), dst.ip(), proto, port);
      v.logs().forEach(l -> logs.add(node + ": " + l.text()));
      if (decided == null || decided.passes() && (!v.passes() || rank(v) > rank(decided))) {
        decided = v; // the first drop decides; among passes, the most telling
        decidedOn = node;
      }
    }
    List<String> nearest = nearest(graph, src.vertex(), dst.vertex(), port);
    if (decided == null) {
      return new Explanation(true, "unrestricted", "neither end is a pod: no Palisade node judges it", src, dst,
          null, null, List.of(), List.of(), nearest);
    }
    String edgeStatus = statusOf(graph, src.vertex(), dst.vertex(), proto, port);
    String decidedBy;
    String reason;
    boolean monitorWouldDrop = logs.stream().anyMatch(l -> l.contains("monitor"));
    switch (decided.stage()) {
      case CLOSED_V6 -> {
        decidedBy = "ipv6 closed";
        reason = decided.explain();
      }
      case FAILSAFE_SOURCE -> {
        decidedBy = "failsafe node";
        reason = "the source is node " + decidedOn + "'s own address (kubelet probes): never cut";
      }
      case FAILSAFE_DESTINATION -> {
        boolean api = FailsafeBuilder.build(new FailsafeBuilder.Config(true, failsafe.apiService(),
            failsafe.apiService()), decidedOn, s.nodes(), s.services(), s.slices()).destinations().stream()
            .anyMatch(r -> holds(r, dst.ip(), proto, port));
        decidedBy = api ? "failsafe api-server" : "failsafe dns";
        reason = "the destination is the " + (api ? "API server" : "cluster DNS") + ": never cut";
      }
      case NETWORK_POLICY -> {
        End local = decided.side() == Side.INGRESS ? dst : src;
        List<String> names = local.pod() == null ? List.of()
            : IsolatingPolicies.of(s.networkPolicies(), local.pod(), decided.side() == Side.INGRESS);
        decidedBy = "NetworkPolicy " + (names.isEmpty() ? "?" : String.join(", ", names));
        reason = "NetworkPolicy isolates " + local.vertex() + " (" + (decided.side() == Side.INGRESS ? "ingress" : "egress")
            + ") and none of its rules allows this";
      }
      case ALLOW_LIST -> {
        End local = decided.side() == Side.INGRESS ? dst : src;
        decidedBy = "rejected".equals(edgeStatus) ? "rejected" : "not approved";
        reason = local.vertex() + " is enforced and the edge is " + ("rejected".equals(edgeStatus)
            ? "rejected in review" : edgeStatus == null ? "not in the graph (never learned or approved)"
            : "learned but not approved");
      }
      case ALLOWED -> {
        if (monitorWouldDrop) {
          decidedBy = "mode monitor";
          reason = "allowed because the enforcing end is in monitor mode; enforce would drop it ("
              + ("rejected".equals(edgeStatus) ? "rejected" : "not approved") + ")";
        } else if (isRestrictedByApproval(srcMode) || isRestrictedByApproval(dstMode)) {
          decidedBy = "approved";
          reason = "the edge is in the approved allow-list of its enforced end(s)";
        } else {
          decidedBy = "NetworkPolicy";
          reason = "NetworkPolicy isolates an end and one of its rules allows this";
        }
      }
      default -> {
        decidedBy = "mode learn";
        reason = "no end restricts it: " + ("rejected".equals(edgeStatus) ? "the edge is rejected, but " : "")
            + "both ends are in learn mode without NetworkPolicy isolation";
      }
    }
    return new Explanation(decided.passes(), decidedBy, reason, src, dst, srcMode, dstMode, List.copyOf(nodes),
        logs, nearest);
  }

  /** The review status of the exact edge in the graph, or null if the graph does not have it. */
  static String statusOf(List<GraphEdge> graph, String src, String dst, Proto proto, int port) {
    for (GraphEdge e : graph) {
      if (e.source().equals(src) && e.destination().equals(dst) && e.port() == port
          && e.protocol().equalsIgnoreCase(proto.name())) {
        return e.status();
      }
    }
    return null;
  }

  /** Approved edges sharing both ends first, then the destination, then the source; nearest port first. */
  static List<String> nearest(List<GraphEdge> graph, String src, String dst, int port) {
    return graph.stream()
        .filter(e -> "approved".equals(e.status()) && (e.source().equals(src) || e.destination().equals(dst)))
        .sorted(Comparator.<GraphEdge>comparingInt(e -> (e.source().equals(src) ? 0 : 1) + (e.destination().equals(dst) ? 0 : 2))
            .thenComparingInt(e -> Math.abs(e.port() - port)).thenComparing(GraphEdge::text))
        .limit(NEAREST).map(GraphEdge::text).toList();
  }

  /** Among passing verdicts, the more telling one names the decision: failsafe, then checked, then open. */
  private static int rank(Verdict v) {
    return switch (v.stage()) {
      case FAILSAFE_SOURCE, FAILSAFE_DESTINATION -> 3;
      case ALLOWED -> v.logs().isEmpty() ? 1 : 2;
      default -> 0;
    };
  }

  private static boolean isRestrictedByApproval(String mode) {
    return "enforce".equals(mode);
  }

  private static String modeOf(NodeRules rules, String ip, boolean ingress) {
    if (ip.indexOf(':') >= 0) {
      return null;
    }
    long a = Interval.parseIp(ip);
    for (NodeRules.Group g : rules.groups()) {
      if (g.podIps().stream().anyMatch(p -> Interval.parseIp(p) == a)) {
        Enforcement e = (ingress ? g.ingress() : g.egress()).enforcement();
        return e == Enforcement.OPEN ? "learn" : e.name().toLowerCase(Locale.ROOT);
      }
    }
    return "learn";
  }

  private static boolean holds(AllowRect r, String ip, Proto proto, int port) {
    return r.protocol() == proto && r.peers().contains(Interval.parseIp(ip)) && r.ports().contains(port);
  }

  private static List<Pod> live(ClusterSnapshot s) {
    return s.pods().stream().filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null
        && !p.getStatus().getPodIP().isBlank() && !p.getStatus().getPodIP().contains(":")
        && !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase())).toList();
  }

  private static End end(Pod p, WorkloadResolver owners) {
    String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
    return new End(p.getStatus().getPodIP(), node, p, owners.workloadOf(p).toString());
  }
}

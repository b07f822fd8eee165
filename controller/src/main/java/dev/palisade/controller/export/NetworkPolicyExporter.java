package dev.palisade.controller.export;

import dev.palisade.controller.export.PolicyExport.Draft;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpecBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Pure: the learned or approved edges touching one namespace -> Kubernetes NetworkPolicies that
 * allow exactly those edges, so a team can leave Palisade (or review it) with standard objects.
 *
 * <p>One Ingress policy per destination workload in the namespace, with a rule per source; one
 * Egress policy per source workload in the namespace, with a rule per destination. A workload is
 * selected by its stable labels ({@code labelsOf}; labels live with the workload watcher, not in
 * the graph); a peer in another namespace also gets a namespaceSelector on
 * {@code kubernetes.io/metadata.name}, which Kubernetes sets on every namespace. A workload with no
 * such edges gets no policy, and so stays unrestricted in that direction: exporting a deny-all for
 * a workload nobody has observed would cut traffic the graph never saw.
 *
 * <p>What NetworkPolicy cannot say is left out and named in the comments: nodes ({@code host}),
 * pods without identity ({@code unknown}), and workloads without labels (an empty selector would
 * select every pod in the namespace). {@code world} becomes ipBlock 0.0.0.0/0 and ::/0, an outside
 * address or range an ipBlock of it. NetworkPolicy cannot name DNS names: a {@code dns:} peer
 * becomes ipBlocks of the addresses the name has now ({@link NameAddresses}, resolved by the
 * caller off the loop), with the name beside them in the {@value #DNS_NAMES_ANNOTATION} annotation
 * and the rule's comment; they go stale with the name's next answer, which the comment says
 * (Palisade's own allow-list follows the answers). A name pattern ({@code *.s3.example}) or a name
 * that did not resolve is left out (so applying the export cuts that egress) and listed in the
 * {@value #DNS_LEFT_OUT_ANNOTATION} annotation.
 */
public final class NetworkPolicyExporter {
  public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "palisade";
  public static final String WORKLOAD_ANNOTATION = "palisade.dev/workload";
  /** On an Egress policy: the dns: peers it could not say, as NAME PORT/PROTO, comma-separated. */
  public static final String DNS_LEFT_OUT_ANNOTATION = "palisade.dev/dns-names-left-out";
  /** On an Egress policy: the dns: peers written as addresses, as NAME=ADDR;ADDR PORT/PROTO, comma-separated. */
  public static final String DNS_NAMES_ANNOTATION = "palisade.dev/dns-names";
  public static final List<String> WORLD_CIDRS = List.of("0.0.0.0/0", "::/0");
  static final int MAX_EXAMPLE_PODS = 3;
  private static final int MAX_NAME = 253;

  private final Function<String, Map<String, String>> labelsOf;
  private final Map<String, List<String>> nameAddresses;

  /** @param labelsOf workload vertex ({@code NS/KIND/NAME}) -> the labels its pods carry stably (empty if unknown) */
  public NetworkPolicyExporter(Function<String, Map<String, String>> labelsOf) {
    this(labelsOf, Map.of());
  }

  /** @param nameAddresses DNS names (without {@code dns:}) -> their current IPv4 addresses ({@link NameAddresses}) */
  public NetworkPolicyExporter(Function<String, Map<String, String>> labelsOf, Map<String, List<String>> nameAddresses) {
    this.labelsOf = labelsOf;
    this.nameAddresses = Map.copyOf(nameAddresses);
  }

  /** The DNS names (without {@code dns:}) among the peers an export of {@code namespace} would write. */
  public static Set<String> namesIn(Collection<EdgeView> edges, String namespace, Set<EdgeStatus> statuses) {
    Set<String> out = new java.util.TreeSet<>();
    for (EdgeView e : edges) {
      if (statuses.contains(e.status()) && e.key().destination().startsWith("dns:")
          && namespace.equals(Vertex.of(e.key().source()).namespace())) {
        out.add(e.key().destination().substring(4));
      }
    }
    return out;
  }

  /** The policies as YAML documents, each rule commented with its evidence. */
  public String yaml(Collection<EdgeView> edges, String namespace, Set<EdgeStatus> statuses) {
    return PolicyYamlWriter.write(export(edges, namespace, statuses));
  }

  /**
   * @param edges the graph's edges (all of them: the others are needed to warn when a selector
   *     also matches another workload)
   * @param statuses which edges to allow: LEARNED, APPROVED or both
   */
  public PolicyExport export(Collection<EdgeView> edges, String namespace, Set<EdgeStatus> statuses) {
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("a NetworkPolicy export needs a namespace");
    }
    if (statuses.isEmpty() || statuses.contains(EdgeStatus.REJECTED)) {
      throw new IllegalArgumentException("export allows LEARNED and/or APPROVED edges, not " + statuses);
    }
    Map<String, Map<String, String>> labels = labelsAt(edges, labelsOf);
    // subject -> peer -> edges, sorted so the output is stable
    Map<String, Map<String, List<EdgeView>>> ingress = new TreeMap<>();
    Map<String, Map<String, List<EdgeView>>> egress = new TreeMap<>();
    List<String> scans = new ArrayList<>();
    for (EdgeView e : edges.stream().filter(e -> statuses.contains(e.status())).sorted(SortedGraph.EDGE_ORDER).toList()) {
      if (dev.palisade.controller.graph.FlowGraph.isScan(e.key())) {
        scans.add(e.key().text() + ": the summary of a port scan, no port to allow");
        continue;
      }
      String src = e.key().source();
      String dst = e.key().destination();
      if (namespace.equals(Vertex.of(dst).namespace())) {
        ingress.computeIfAbsent(dst, k -> new TreeMap<>()).computeIfAbsent(src, k -> new ArrayList<>()).add(e);
      }
      if (namespace.equals(Vertex.of(src).namespace())) {
        egress.computeIfAbsent(src, k -> new TreeMap<>()).computeIfAbsent(dst, k -> new ArrayList<>()).add(e);
      }
    }
    Drafting d = new Drafting(namespace, labels, nameAddresses);
    d.skipped.addAll(scans);
    ingress.forEach((subject, byPeer) -> d.policy(Direction.INGRESS, subject, byPeer));
    egress.forEach((subject, byPeer) -> d.policy(Direction.EGRESS, subject, byPeer));
    return new PolicyExport(namespace, EnumSet.copyOf(statuses), d.drafts, d.skipped);
  }

  /**
   * The stable labels of every workload at an end of {@code edges}, by vertex (copies): all an
   * export reads of the workload index, so a caller can take them on its loop together with the
   * edges and draft the export later, off it.
   */
  public static Map<String, Map<String, String>> labelsAt(Collection<EdgeView> edges,
      Function<String, Map<String, String>> labelsOf) {
    Map<String, Map<String, String>> labels = new TreeMap<>();
    for (EdgeView e : edges) {
      for (String v : List.of(e.key().source(), e.key().destination())) {
        if (Vertex.of(v).isWorkload()) {
          labels.computeIfAbsent(v, k -> Map.copyOf(nonNull(labelsOf.apply(k))));
        }
      }
    }
    return labels;
  }

  private static Map<String, String> nonNull(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }

  private enum Direction {
    INGRESS("Ingress", "from"), EGRESS("Egress", "to");

    final String policyType;
    final String preposition;

    Direction(String policyType, String preposition) {
      this.policyType = policyType;
      this.preposition = preposition;
    }
  }

  /** The state of one export: the labels of every workload seen, and what has been drafted or skipped. */
  private static final class Drafting {
    final String namespace;
    final Map<String, Map<String, String>> labels;
    final List<Draft> drafts = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final Map<String, List<String>> nameAddresses;

    Drafting(String namespace, Map<String, Map<String, String>> labels, Map<String, List<String>> nameAddresses) {
      this.namespace = namespace;
      this.nameAddresses = nameAddresses;
      this.labels = labels;
    }

    void policy(Direction dir, String subject, Map<String, List<EdgeView>> byPeer) {
      int edgeCount = byPeer.values().stream().mapToInt(List::size).sum();
      Map<String, String> own = labels.get(subject);
      if (own.isEmpty()) {
        skipped.add(subject + ": no " + dir.policyType + " policy, it has no labels to select its pods by ("
            + edgeCount + " edge(s))");
        return;
      }
      List<String> notes = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<String> resolved = new ArrayList<>();
      List<List<String>> ruleNotes = new ArrayList<>();
      var spec = new NetworkPolicySpecBuilder().withPodSelector(selector(own)).withPolicyTypes(dir.policyType);
      for (var entry : byPeer.entrySet()) {
        String peer = entry.getKey();
        List<EdgeView> peerEdges = entry.getValue();
        String unsupported = unsupportedPeer(peer);
        if (unsupported != null) {
          for (EdgeView e : peerEdges) {
            notes.add("not allowed here: " + dir.preposition + " " + peer + " " + portText(e) + ": " + unsupported);
            if (peer.startsWith("dns:")) {
              names.add(peer.substring(4) + " " + portText(e));
            }
          }
          continue;
        }
        List<NetworkPolicyPeer> peers = peers(peer);
        List<String> addresses = peer.startsWith("dns:") ? nameAddresses.get(peer.substring(4)) : null;
        if (addresses != null) {
          peerEdges.forEach(e -> resolved.add(peer.substring(4) + "=" + String.join(";", addresses) + " " + portText(e)));
        }
        List<NetworkPolicyPort> ports = peerEdges.stream().map(NetworkPolicyExporter::port).toList();
        if (dir == Direction.INGRESS) {
          spec.addToIngress(new NetworkPolicyIngressRuleBuilder().withFrom(peers).withPorts(ports).build());
        } else {
          spec.addToEgress(new NetworkPolicyEgressRuleBuilder().withTo(peers).withPorts(ports).build());
        }
        List<String> lines = new ArrayList<>();
        lines.add(dir.preposition + " " + peer + ":");
        peerEdges.forEach(e -> lines.add("  " + evidence(e)));
        if (addresses != null) {
          lines.add("  note: " + peer.substring(4) + " resolved to " + String.join(", ", addresses)
              + " at export time; its next answer may differ (export again, or let Palisade's allow-list follow it)");
        }
        alsoSelected(peer).forEach(o -> lines.add("  note: the selector for " + peer + " also matches " + o));
        if (Vertex.of(peer).isWorld()) {
          lines.add("  note: some network plugins also match pod IPs with 0.0.0.0/0");
        }
        ruleNotes.add(lines);
      }
      if (ruleNotes.isEmpty()) {
        skipped.add(subject + ": no " + dir.policyType + " policy, none of its " + edgeCount
            + " edge(s) can be said in NetworkPolicy; " + String.join("; ", notes));
        return;
      }
      alsoSelected(subject).forEach(o -> notes.add(0, "note: this policy's podSelector also matches " + o));
      Vertex v = Vertex.of(subject);
      Map<String, String> annotations = new TreeMap<>(Map.of(WORKLOAD_ANNOTATION, subject));
      if (!names.isEmpty()) {
        annotations.put(DNS_LEFT_OUT_ANNOTATION, String.join(",", names));
      }
      if (!resolved.isEmpty()) {
        annotations.put(DNS_NAMES_ANNOTATION, String.join(",", resolved));
      }
      NetworkPolicy policy = new NetworkPolicyBuilder()
          .withNewMetadata()
          .withName(policyName(dir, v))
          .withNamespace(namespace)
          .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
          .addToAnnotations(annotations)
          .endMetadata()
          .withSpec(spec.build())
          .build();
      notes.add(0, dir.policyType + " of " + subject + ": " + edgeCount + " edge(s) " + dir.preposition + " "
          + ruleNotes.size() + " peer(s)");
      drafts.add(new Draft(policy, subject, notes, ruleNotes));
    }

    /** Why a peer cannot be a NetworkPolicy peer, or null if it can. */
    String unsupportedPeer(String peer) {
      Vertex v = Vertex.of(peer);
      if (v.isWorld() || OutsideVertex.of(peer).filter(o -> o instanceof OutsideVertex.Range).isPresent()) {
        return null;
      }
      if (peer.startsWith("dns:")) {
        return nameAddresses.containsKey(peer.substring(4)) ? null
            : "NetworkPolicy cannot name DNS names, and " + (peer.startsWith("dns:*.")
            ? "a name pattern has no addresses to write" : "the name did not resolve when exporting")
            + " (Palisade's allow-list enforces it; the policy's " + DNS_LEFT_OUT_ANNOTATION
            + " annotation lists it)";
      }
      if (!v.isWorkload()) {
        return "host".equals(peer)
            ? "NetworkPolicy cannot select nodes portably (most network plugins let a node reach its pods anyway)"
            : "'" + peer + "' is no workload that a selector could name";
      }
      if (labels.get(peer).isEmpty()) {
        return "it has no labels, and an empty podSelector would match every pod of " + v.namespace();
      }
      return null;
    }

    List<NetworkPolicyPeer> peers(String peer) {
      Vertex v = Vertex.of(peer);
      if (v.isWorld()) {
        return WORLD_CIDRS.stream()
            .map(c -> new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(c).endIpBlock().build()).toList();
      }
      if (peer.startsWith("dns:")) {
        return nameAddresses.get(peer.substring(4)).stream()
            .map(a -> new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(a + "/32").endIpBlock().build()).toList();
      }
      var outside = OutsideVertex.of(peer);
      if (outside.isPresent() && outside.get() instanceof OutsideVertex.Range r) {
        return List.of(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(r.cidr().toString()).endIpBlock().build());
      }
      NetworkPolicyPeerBuilder b = new NetworkPolicyPeerBuilder().withPodSelector(selector(labels.get(peer)));
      if (!namespace.equals(v.namespace())) {
        b.withNamespaceSelector(selector(Map.of(NAMESPACE_NAME_LABEL, v.namespace())));
      }
      return List.of(b.build());
    }

    /** Other workloads of the same namespace whose labels include all of {@code vertex}'s: its selector picks them too. */
    List<String> alsoSelected(String vertex) {
      Vertex v = Vertex.of(vertex);
      Map<String, String> own = labels.get(vertex);
      if (own == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (var other : labels.entrySet()) {
        if (!other.getKey().equals(vertex) && v.namespace().equals(Vertex.of(other.getKey()).namespace())
            && other.getValue().entrySet().containsAll(own.entrySet())) {
          out.add(other.getKey());
        }
      }
      return out;
    }
  }

  private static LabelSelector selector(Map<String, String> labels) {
    return new LabelSelectorBuilder().withMatchLabels(new TreeMap<>(labels)).build();
  }

  private static NetworkPolicyPort port(EdgeView e) {
    return new NetworkPolicyPortBuilder().withProtocol(e.key().protocol().name())
        .withPort(new IntOrString(e.key().port())).build();
  }

  /** A policy name that says what it is about and is the same on every export, so re-applying updates it. */
  private static String policyName(Direction dir, Vertex v) {
    String name = "palisade-" + dir.policyType.toLowerCase(Locale.ROOT) + "-" + v.kind().toLowerCase(Locale.ROOT)
        + "-" + v.name();
    if (name.length() > MAX_NAME) {
      String hash = Integer.toHexString(v.key().hashCode());
      name = name.substring(0, MAX_NAME - hash.length() - 1) + "-" + hash;
    }
    return name;
  }

  private static String portText(EdgeView e) {
    return e.key().port() + "/" + e.key().protocol();
  }

  /** One comment line of evidence: why we believe this edge is real traffic. */
  static String evidence(EdgeView e) {
    StringBuilder b = new StringBuilder();
    b.append(portText(e)).append(' ').append(e.status().name().toLowerCase(Locale.ROOT)).append(": ")
        .append(e.count()).append(e.count() == 1 ? " connection" : " connections")
        .append(", first seen ").append(when(e.firstSeen())).append(", last seen ").append(when(e.lastSeen()));
    if (e.violations() > 0) {
      b.append(", ").append(e.violations()).append(" refused");
    }
    if (!e.sourcePods().isEmpty() || !e.destinationPods().isEmpty()) {
      b.append("; e.g. ").append(examples(e.sourcePods())).append(" -> ").append(examples(e.destinationPods()));
    }
    return b.toString();
  }

  private static String when(long epochMillis) {
    return epochMillis <= 0 ? "never" : Instant.ofEpochMilli(epochMillis).toString();
  }

  private static String examples(List<String> pods) {
    if (pods.isEmpty()) {
      return "?";
    }
    String shown = String.join(", ", pods.subList(0, Math.min(MAX_EXAMPLE_PODS, pods.size())));
    return pods.size() > MAX_EXAMPLE_PODS ? shown + ", ..." : shown;
  }
}

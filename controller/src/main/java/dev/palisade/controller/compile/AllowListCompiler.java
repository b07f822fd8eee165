package dev.palisade.controller.compile;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Pure: approved edges and modes -> the allow-list IR, one {@link IdentityPolicy} per workload
 * identity. An approved edge A -> B on port/proto allows B's ingress from A and A's egress to B;
 * the dataplane lets a connection through an enforced workload only if its side allows it.
 *
 * <p>Edges across the cluster edge compile to the workload's side only ({@link OutsideVertex}):
 * W -> {@code dns:NAME} (or {@code dns:*.SUFFIX}) is an egress rule with peerName, which the
 * agent enforces with the addresses the name resolved to for W's own pods; W -> an address or
 * range is egress with peerCidr; {@code world} or a range -> W is ingress with peerCidr
 * ({@code world} as 0.0.0.0/0, which, like NetworkPolicy's ipBlock, also matches pod addresses:
 * the other side's own rules still apply to a pod). {@code host} and {@code unknown} stay out.
 *
 * <p>Incremental: {@link #compile(Collection, Set)} recompiles only the given identities (the
 * ends of edges an approval touched), from the edges incident to them.
 */
public final class AllowListCompiler {
  private static final Comparator<PeerRule> RULE_ORDER = Comparator
      .comparing((PeerRule r) -> r.peer().toString()).thenComparing(PeerRule::protocol).thenComparing(PeerRule::ports);

  private final Function<String, Optional<Long>> identityOf;
  private final Function<Long, Mode> modeOf;

  /**
   * @param identityOf vertex key -> workload identity (empty for entities without one)
   * @param modeOf identity -> its effective mode
   */
  public AllowListCompiler(Function<String, Optional<Long>> identityOf, Function<Long, Mode> modeOf) {
    this.identityOf = identityOf;
    this.modeOf = modeOf;
  }

  /** Every identity that has a mode or an approved edge. */
  public Map<Long, IdentityPolicy> compileAll(Collection<EdgeView> edges, Set<Long> allIdentities) {
    return compile(edges, allIdentities);
  }

  /** Policies for exactly the given identities, from the approved edges among {@code edges}. */
  public Map<Long, IdentityPolicy> compile(Collection<EdgeView> edges, Set<Long> identities) {
    Map<Long, List<PeerRule>> ingress = new HashMap<>();
    Map<Long, List<PeerRule>> egress = new HashMap<>();
    for (EdgeView e : edges) {
      if (e.status() != EdgeStatus.APPROVED || dev.palisade.controller.graph.FlowGraph.isScan(e.key())) {
        continue; // a scan's summary allows no port, whatever a status says
      }
      Optional<Long> src = identityOf.apply(e.key().source());
      Optional<Long> dst = identityOf.apply(e.key().destination());
      PortRange port = PortRange.of(e.key().port());
      if (src.isEmpty() || dst.isEmpty()) {
        outside(e, src, dst, port, identities, ingress, egress);
        continue;
      }
      if (identities.contains(dst.get())) {
        ingress.computeIfAbsent(dst.get(), k -> new ArrayList<>())
            .add(new PeerRule(new Peer.OfIdentity(src.get()), e.key().protocol(), port));
      }
      if (identities.contains(src.get())) {
        egress.computeIfAbsent(src.get(), k -> new ArrayList<>())
            .add(new PeerRule(new Peer.OfIdentity(dst.get()), e.key().protocol(), port));
      }
    }
    Map<Long, IdentityPolicy> out = new TreeMap<>();
    for (long id : identities) {
      List<PeerRule> in = ingress.getOrDefault(id, new ArrayList<>());
      List<PeerRule> eg = egress.getOrDefault(id, new ArrayList<>());
      in.sort(RULE_ORDER);
      eg.sort(RULE_ORDER);
      out.put(id, new IdentityPolicy(id, modeOf.apply(id), dedupe(in), dedupe(eg)));
    }
    return out;
  }

  /** An edge with an end beyond the cluster: a rule on the workload's side, if it has one and is compiled. */
  private static void outside(EdgeView e, Optional<Long> src, Optional<Long> dst, PortRange port, Set<Long> identities,
      Map<Long, List<PeerRule>> ingress, Map<Long, List<PeerRule>> egress) {
    if (src.isPresent() && identities.contains(src.get())) {
      OutsideVertex.of(e.key().destination()).ifPresent(o -> egress.computeIfAbsent(src.get(), k -> new ArrayList<>())
          .add(new PeerRule(o.peer(), e.key().protocol(), port)));
    } else if (dst.isPresent() && identities.contains(dst.get())) {
      OutsideVertex.of(e.key().source()).filter(o -> !(o instanceof OutsideVertex.Name)) // names: egress only
          .ifPresent(o -> ingress.computeIfAbsent(dst.get(), k -> new ArrayList<>())
              .add(new PeerRule(o.peer(), e.key().protocol(), port)));
    }
  }

  private static List<PeerRule> dedupe(List<PeerRule> sorted) {
    List<PeerRule> out = new ArrayList<>(sorted.size());
    for (PeerRule r : sorted) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(r)) {
        out.add(r);
      }
    }
    return out;
  }
}

package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.ClusterView.NamedPort;
import dev.palisade.dataplane.netpol.CompiledPolicy.Peer;
import dev.palisade.dataplane.netpol.CompiledPolicy.PortMatch;
import dev.palisade.dataplane.netpol.CompiledPolicy.Rule;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a rule's from/to to addresses once per rule, however many selected pods share it:
 * peers do not depend on which pod the policy is applied to. Single-threaded, one per compile.
 */
final class PeerResolver {
  private final ClusterView cluster;
  private final Map<Rule, Peers> cache = new IdentityHashMap<>();
  /** An earlier compile's peers per rule: reused when the same pods match (see {@link PodViews}). */
  private final Map<Rule, Peers> earlier;
  /** The pods that came and went since {@link #earlier} was resolved; null: unknown, test every pod. */
  private final Delta delta;
  private Peers everyone;

  /**
   * Pod views new in this compile and those the last compile had and this one has not. A view is
   * never changed (a changed pod is a new object, so a new view): a view that matches a selector
   * now matched it when it was added, as long as namespace labels are the same.
   */
  record Delta(List<LivePod> added, List<LivePod> removed) {}

  PeerResolver(ClusterView cluster) {
    this(cluster, Map.of(), null, null);
  }

  PeerResolver(ClusterView cluster, Map<Rule, Peers> earlier, Peers everyone, Delta delta) {
    this.cluster = cluster;
    this.earlier = earlier;
    this.everyone = everyone;
    this.delta = delta;
  }

  /** Every rule's peers this resolver handed out. */
  Map<Rule, Peers> resolved() {
    return cache;
  }


  /** Names each Peers, so a stepped one can say which one it was stepped from without holding it. */
  private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();

  /** One rule's peers: pods picked by selectors, and ipBlock ranges (every address for an empty from/to). */
  final class Peers {
    private final List<Interval> ranges;
    private final List<LivePod> selected;
    private final List<Interval> blocks;
    /** The selected pods' addresses, sorted, once per pod (two pods may share one). */
    private final long[] points;
    private final long serial = SERIALS.incrementAndGet();
    /** The serial of the peers this was stepped from (0: made whole), and the ranges that moved since. */
    private final long steppedFrom;
    private final List<Interval> gone;
    private final List<Interval> come;
    private final Map<PortMatch.Named, List<AllowRect>> byName = new HashMap<>();

    private Peers(List<LivePod> selected, List<Interval> blocks) {
      this.selected = selected;
      this.blocks = Disjoint.merge(blocks);
      this.points = addresses(selected);
      List<Interval> merged = Disjoint.mergePoints(points);
      if (this.blocks.isEmpty()) {
        this.ranges = merged;
      } else {
        List<Interval> all = new ArrayList<>(this.blocks);
        all.addAll(merged);
        this.ranges = Disjoint.merge(all);
      }
      this.steppedFrom = 0;
      this.gone = List.of();
      this.come = List.of();
    }

    /** {@code before} moved to {@code selected}, whose addresses are {@code points}, by {@code step}. */
    private Peers(Peers before, List<LivePod> selected, long[] points, PeerRanges.Step step) {
      this.selected = selected;
      this.blocks = before.blocks;
      this.points = points;
      this.ranges = step.ranges();
      this.steppedFrom = before.serial;
      this.gone = step.gone();
      this.come = step.come();
    }

    /** Every peer address, merged. */
    List<Interval> ranges() {
      return ranges;
    }

    /**
     * Adds the ranges only {@code was} had to {@code gone} and those only these peers have to
     * {@code come}: said by the step when these were stepped from {@code was}, else found by
     * walking both lists.
     */
    void movedSince(Peers was, List<Interval> gone, List<Interval> come) {
      if (steppedFrom == was.serial) {
        gone.addAll(this.gone);
        come.addAll(this.come);
      } else {
        PeerSteps.diff(was.ranges, ranges, gone, come);
      }
    }

    /**
     * One rectangle per peer pod (selected, or inside an ipBlock) that has a port of that name and
     * protocol. Addresses that are no pod have no port names, so they get nothing.
     */
    List<AllowRect> namedPortRects(PortMatch.Named named) {
      return byName.computeIfAbsent(named, n -> {
        List<AllowRect> out = new ArrayList<>();
        for (LivePod dst : pods()) {
          for (NamedPort cp : dst.ports()) {
            if (cp.name().equals(n.name()) && cp.protocol() == n.protocol()) {
              out.add(new AllowRect(new Interval(dst.address(), dst.address()), cp.protocol(), Interval.port(cp.port())));
            }
          }
        }
        return List.copyOf(out);
      });
    }

    /** Only named ports need the pods inside ipBlocks, so they are looked for only then. */
    private List<LivePod> pods() {
      if (blocks.isEmpty()) {
        return selected;
      }
      Set<LivePod> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      List<LivePod> out = new ArrayList<>();
      for (LivePod p : selected) {
        if (seen.add(p)) {
          out.add(p);
        }
      }
      for (LivePod p : cluster.pods()) {
        for (Interval b : blocks) {
          if (b.contains(p.address())) {
            if (seen.add(p)) {
              out.add(p);
            }
            break;
          }
        }
      }
      return out;
    }
  }

  Peers resolve(CompiledPolicy policy, Rule rule) {
    if (rule.peers().isEmpty()) {
      if (everyone == null) {
        everyone = new Peers(List.of(), List.of(Interval.ALL_IPS));
      }
      return everyone;
    }
    return cache.computeIfAbsent(rule, r -> compute(policy, r));
  }

  private Peers compute(CompiledPolicy policy, Rule rule) {
    List<Interval> blocks = new ArrayList<>();
    for (Peer peer : rule.peers()) {
      if (peer instanceof Peer.Block block) {
        blocks.addAll(block.ranges());
      }
    }
    Peers before = earlier.get(rule);
    if (before != null && delta != null) {
      return updated(policy, rule, before, blocks);
    }
    List<LivePod> inOrder = select(policy, rule, cluster.pods());
    // the same pods as last time and no ipBlock (whose named ports read the cluster): the same peers
    if (before != null && blocks.isEmpty() && before.blocks.isEmpty()
        && PodViews.sameInstances(before.selected, inOrder)) {
      return before;
    }
    return new Peers(inOrder, blocks);
  }

  /**
   * The last compile's peers moved by the pods that came and went: the same object when none of
   * them is selected or inside an ipBlock (whose pods' named ports count). Costs the changed pods
   * times the rule's selectors, plus the rule's peers only when one of its own pods went.
   */
  private Peers updated(CompiledPolicy policy, Rule rule, Peers before, List<Interval> blocks) {
    List<LivePod> joined = select(policy, rule, delta.added());
    List<LivePod> left = select(policy, rule, delta.removed());
    boolean blocksMoved = !before.blocks.isEmpty()
        && (inBlocks(before.blocks, delta.added()) || inBlocks(before.blocks, delta.removed()));
    if (joined.isEmpty() && left.isEmpty() && !blocksMoved) {
      return before;
    }
    List<LivePod> selected = new ArrayList<>(before.selected.size() + joined.size());
    if (left.isEmpty()) {
      selected.addAll(before.selected);
    } else {
      Set<LivePod> gone = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      gone.addAll(left);
      for (LivePod p : before.selected) {
        if (!gone.contains(p)) {
          selected.add(p);
        }
      }
    }
    selected.addAll(joined);
    long[] points = PeerRanges.moved(before.points, addresses(joined), addresses(left));
    if (points == null) {
      return new Peers(selected, blocks); // not the peers it seemed: made whole
    }
    long[] candidates = new long[joined.size() + left.size()];
    for (int i = 0; i < candidates.length; i++) {
      candidates[i] = (i < joined.size() ? joined.get(i) : left.get(i - joined.size())).address();
    }
    long[] flipped = PeerRanges.flipped(before.points, points, candidates);
    return new Peers(before, selected, points, PeerRanges.step(before.ranges, before.blocks, points, flipped));
  }

  /** The pods' addresses, sorted. */
  private static long[] addresses(List<LivePod> pods) {
    long[] out = new long[pods.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = pods.get(i).address();
    }
    java.util.Arrays.sort(out);
    return out;
  }

  private static boolean inBlocks(List<Interval> blocks, List<LivePod> pods) {
    for (LivePod p : pods) {
      for (Interval b : blocks) {
        if (b.contains(p.address())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The pods among {@code pods} the rule's selectors pick, each once, in order. */
  private List<LivePod> select(CompiledPolicy policy, Rule rule, java.util.Collection<LivePod> pods) {
    // by identity: one LivePod per pod in a compile, and a record's hash would walk its labels
    Set<LivePod> selected = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<LivePod> inOrder = new ArrayList<>();
    for (Peer peer : rule.peers()) {
      if (peer instanceof Peer.Pods sel) {
        // a namespaceSelector is judged once per namespace, not once per pod
        Map<String, Boolean> nsMatches = new HashMap<>();
        for (LivePod p : pods) {
          boolean nsMatch = sel.namespaces() == null
              ? p.namespace().equals(policy.namespace())
              : nsMatches.computeIfAbsent(p.namespace(), ns -> sel.namespaces().test(cluster.namespaceLabels(ns)));
          if (nsMatch && (sel.pods() == null || sel.pods().test(p.labels())) && selected.add(p)) {
            inOrder.add(p);
          }
        }
      }
    }
    return inOrder;
  }
}

package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.ClusterView.NamedPort;
import dev.palisade.dataplane.netpol.CompiledPolicy.PortMatch;
import dev.palisade.dataplane.netpol.CompiledPolicy.Rule;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.RectSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure: a pod policy moved from the last compile's by the peers that changed, instead of made
 * whole. When a pod joins or leaves a rule's peers, the rule's peer ranges move by an interval or
 * two; the side's rectangles then move by those ranges times the rule's ports ({@link
 * RectSet#with}), and the renderer moves the rendered elements by that difference. At 10k pods a
 * rule holds ~700 peers, and rebuilding its rectangles, their text and the applier's comparison
 * for each pod event was most of a sync.
 *
 * <p>Answers null (make it whole) when the step is not known: the last side's rectangles were not
 * a {@link RectSet}, other policies select the pod, or an any-port rule's peers moved (its
 * addresses are merged into the side's any-set, which is small and made whole).
 */
final class PeerSteps {
  private PeerSteps() {}

  /**
   * {@code was} (made from {@code wasFrom}, as {@link NetworkPolicyCompiler} lists its inputs:
   * each selecting policy, then its ingress rules' peers, then its egress rules' peers) moved to
   * the peers {@code now} names in the same places; null when it cannot be moved.
   */
  static PodPolicy step(LivePod pod, List<CompiledPolicy> policies, List<Object> wasFrom, List<Object> now,
      PodPolicy was) {
    if (wasFrom.size() != now.size()) {
      return null;
    }
    List<Change> in = new ArrayList<>();
    List<Change> out = new ArrayList<>();
    int i = 0;
    for (CompiledPolicy p : policies) {
      if (!p.namespace().equals(pod.namespace()) || !p.podSelector().test(pod.labels())) {
        continue;
      }
      if (i >= now.size() || now.get(i) != p || wasFrom.get(i) != p) {
        return null;
      }
      i++;
      if (p.isolatesIngress()) {
        for (Rule r : p.ingress()) {
          in.add(new Change(r, (PeerResolver.Peers) wasFrom.get(i), (PeerResolver.Peers) now.get(i++)));
        }
      }
      if (p.isolatesEgress()) {
        for (Rule r : p.egress()) {
          out.add(new Change(r, (PeerResolver.Peers) wasFrom.get(i), (PeerResolver.Peers) now.get(i++)));
        }
      }
    }
    if (i != now.size()) {
      return null;
    }
    PodPolicy.Side ingress = side(was.ingress(), in, pod, true);
    PodPolicy.Side egress = ingress == null ? null : side(was.egress(), out, pod, false);
    if (ingress == null || egress == null) {
      return null;
    }
    return ingress == was.ingress() && egress == was.egress() ? was : new PodPolicy(ingress, egress);
  }

  /** One rule's peers, last compile's and this one's. */
  private record Change(Rule rule, PeerResolver.Peers was, PeerResolver.Peers now) {
    boolean moved() {
      return was != now;
    }
  }

  private static PodPolicy.Side side(PodPolicy.Side was, List<Change> changes, LivePod self, boolean ingress) {
    if (changes.stream().noneMatch(Change::moved)) {
      return was;
    }
    if (!was.isolated() || !(was.rects() instanceof RectSet rects)) {
      return null;
    }
    Set<AllowRect> added = new HashSet<>();
    Set<AllowRect> removed = new HashSet<>();
    for (Change c : changes) {
      if (!c.moved()) {
        continue;
      }
      List<Interval> gone = new ArrayList<>();
      List<Interval> come = new ArrayList<>();
      c.now().movedSince(c.was(), gone, come);
      if (c.rule().ports().isEmpty()) {
        if (!gone.isEmpty() || !come.isEmpty()) {
          return null; // the any-set moves: made whole
        }
        continue;
      }
      for (PortMatch m : c.rule().ports()) {
        if (m instanceof PortMatch.Named named && !ingress) {
          // each destination pod's own port: the rectangles are per pod, not per range
          List<AllowRect> before = c.was().namedPortRects(named);
          List<AllowRect> after = c.now().namedPortRects(named);
          Set<AllowRect> beforeSet = new HashSet<>(before);
          Set<AllowRect> afterSet = new HashSet<>(after);
          before.stream().filter(r -> !afterSet.contains(r)).forEach(removed::add);
          after.stream().filter(r -> !beforeSet.contains(r)).forEach(added::add);
        } else {
          for (Interval ports : portsOf(m, self, ingress)) {
            AllowRect.Proto proto = protocolOf(m);
            gone.forEach(range -> removed.add(new AllowRect(range, proto, ports)));
            come.forEach(range -> added.add(new AllowRect(range, proto, ports)));
          }
        }
      }
    }
    // rules overlap: a rectangle another rule (or the same one, cut otherwise) still gives stays
    removed.removeIf(r -> added.contains(r) || stillGiven(r, changes, self, ingress));
    if (added.isEmpty() && removed.isEmpty()) {
      return was;
    }
    return new PodPolicy.Side(true, was.any(), rects.with(added, removed));
  }

  /** The port intervals a numbered match, or an ingress named match on the pod itself, gives. */
  private static List<Interval> portsOf(PortMatch m, LivePod self, boolean ingress) {
    if (m instanceof PortMatch.Numbered n) {
      return List.of(n.ports());
    }
    PortMatch.Named named = (PortMatch.Named) m;
    List<Interval> out = new ArrayList<>();
    for (NamedPort cp : self.ports()) {
      if (cp.name().equals(named.name()) && cp.protocol() == named.protocol()) {
        out.add(Interval.port(cp.port()));
      }
    }
    return out;
  }

  private static AllowRect.Proto protocolOf(PortMatch m) {
    return m instanceof PortMatch.Numbered n ? n.protocol() : ((PortMatch.Named) m).protocol();
  }

  /** True if some rule of the side gives {@code rect} with the peers as they are now. */
  private static boolean stillGiven(AllowRect rect, List<Change> changes, LivePod self, boolean ingress) {
    for (Change c : changes) {
      for (PortMatch m : c.rule().ports()) {
        if (protocolOf(m) != rect.protocol()) {
          continue;
        }
        if (m instanceof PortMatch.Named named && !ingress) {
          if (c.now().namedPortRects(named).contains(rect)) {
            return true;
          }
        } else if (portsOf(m, self, ingress).contains(rect.ports()) && holds(c.now().ranges(), rect.peers())) {
          return true;
        }
      }
    }
    return false;
  }

  /** True if the sorted, disjoint {@code ranges} hold exactly {@code range}. */
  private static boolean holds(List<Interval> ranges, Interval range) {
    int at = Collections.binarySearch(ranges, range, (a, b) -> Long.compare(a.from(), b.from()));
    return at >= 0 && ranges.get(at).equals(range);
  }

  /**
   * Walks two sorted, disjoint range lists side by side: what only {@code was} has goes to
   * {@code gone}, what only {@code now} has to {@code come}. A pod joining merges at most its
   * neighbours' ranges with its own, so the lists differ by a few ranges.
   */
  static void diff(List<Interval> was, List<Interval> now, List<Interval> gone, List<Interval> come) {
    int i = 0;
    int j = 0;
    while (i < was.size() && j < now.size()) {
      Interval a = was.get(i);
      Interval b = now.get(j);
      if (a.equals(b)) {
        i++;
        j++;
      } else if (a.from() < b.from()) {
        gone.add(a);
        i++;
      } else if (b.from() < a.from()) {
        come.add(b);
        j++;
      } else {
        gone.add(a);
        come.add(b);
        i++;
        j++;
      }
    }
    gone.addAll(was.subList(i, was.size()));
    come.addAll(now.subList(j, now.size()));
  }
}

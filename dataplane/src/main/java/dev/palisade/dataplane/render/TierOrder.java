package dev.palisade.dataplane.render;

import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure: one tier's rules for one side of one group, in the order they are judged (policies by
 * priority, lowest first, then each policy's rules in order) -> the regions of (peer, protocol,
 * port) space the tier accepts and denies, with the first matching rule deciding each point.
 * A Pass rule claims its region too, for no verdict: the point falls through to the next stage.
 *
 * <p>Why resolve the order here rather than in chains: the kernel then needs one set lookup per
 * verdict, however many policies and rules the tier has; a chain per rule would make every new
 * connection walk them all.
 */
public final class TierOrder {
  private TierOrder() {}

  /** One rule: its action and the region it matches. */
  public record TierRule(Action action, Set<AllowRect> matches) {
    public TierRule {
      java.util.Objects.requireNonNull(action, "action");
      matches = Set.copyOf(matches);
    }
  }

  /** What the tier decides: disjoint regions; every other point has no verdict here. */
  public record TierRects(Set<AllowRect> accept, Set<AllowRect> deny) {
    public static final TierRects NONE = new TierRects(Set.of(), Set.of());

    public TierRects {
      accept = Set.copyOf(accept);
      deny = Set.copyOf(deny);
    }

    public boolean isEmpty() {
      return accept.isEmpty() && deny.isEmpty();
    }

    /** The verdict for a point: ACCEPT, DENY, or null (no rule of the tier decides it). */
    public Action decide(long peer, AllowRect.Proto proto, int port) {
      if (contains(deny, peer, proto, port)) {
        return Action.DENY;
      }
      return contains(accept, peer, proto, port) ? Action.ACCEPT : null;
    }

    private static boolean contains(Set<AllowRect> rects, long peer, AllowRect.Proto proto, int port) {
      for (AllowRect r : rects) {
        if (r.protocol() == proto && r.peers().contains(peer) && r.ports().contains(port)) {
          return true;
        }
      }
      return false;
    }
  }

  /** First match decides: each rule keeps only what no earlier rule matched. */
  public static TierRects resolve(List<TierRule> rules) {
    List<AllowRect> claimed = new ArrayList<>();
    Set<AllowRect> accept = new HashSet<>();
    Set<AllowRect> deny = new HashSet<>();
    for (TierRule rule : rules) {
      List<AllowRect> left = new ArrayList<>(rule.matches());
      for (AllowRect c : claimed) {
        List<AllowRect> next = new ArrayList<>();
        for (AllowRect r : left) {
          subtract(r, c, next);
        }
        left = next;
        if (left.isEmpty()) {
          break;
        }
      }
      if (rule.action() == Action.ACCEPT) {
        accept.addAll(left);
      } else if (rule.action() == Action.DENY) {
        deny.addAll(left);
      }
      claimed.addAll(rule.matches());
    }
    // a rule's own peers may overlap one another; nft refuses overlapping interval elements
    return new TierRects(Set.copyOf(Disjoint.rects(accept)), Set.copyOf(Disjoint.rects(deny)));
  }

  /** a minus b, as at most four rectangles added to {@code out}. */
  static void subtract(AllowRect a, AllowRect b, List<AllowRect> out) {
    Interval ap = a.peers();
    Interval bp = b.peers();
    Interval aq = a.ports();
    Interval bq = b.ports();
    if (a.protocol() != b.protocol() || bp.to() < ap.from() || ap.to() < bp.from()
        || bq.to() < aq.from() || aq.to() < bq.from()) {
      out.add(a);
      return;
    }
    if (ap.from() < bp.from()) {
      out.add(new AllowRect(new Interval(ap.from(), bp.from() - 1), a.protocol(), aq));
    }
    if (bp.to() < ap.to()) {
      out.add(new AllowRect(new Interval(bp.to() + 1, ap.to()), a.protocol(), aq));
    }
    Interval mid = new Interval(Math.max(ap.from(), bp.from()), Math.min(ap.to(), bp.to()));
    if (aq.from() < bq.from()) {
      out.add(new AllowRect(mid, a.protocol(), new Interval(aq.from(), bq.from() - 1)));
    }
    if (bq.to() < aq.to()) {
      out.add(new AllowRect(mid, a.protocol(), new Interval(bq.to() + 1, aq.to())));
    }
  }
}

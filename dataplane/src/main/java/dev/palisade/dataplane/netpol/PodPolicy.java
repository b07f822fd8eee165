package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.RectSet;
import java.util.Set;

/**
 * What NetworkPolicy says about one pod, per direction, in the shape
 * {@link dev.palisade.dataplane.render.NodeRules.Direction} takes for its {@code np*} fields.
 */
public record PodPolicy(Side ingress, Side egress) {
  public static final PodPolicy OPEN = new PodPolicy(Side.OPEN, Side.OPEN);

  /**
   * One direction. {@code isolated}: some policy of this direction selects the pod, so only
   * {@code any} (peer addresses, every protocol and port) and {@code rects} (peer addresses x
   * protocol x port range) pass. The peer is the source for ingress, the destination for egress.
   */
  public static final class Side {
    public static final Side OPEN = new Side(false, Set.of(), Set.of());

    private final boolean isolated;
    private final Set<Interval> any;
    private final Set<AllowRect> rects;
    /**
     * Kept, not recomputed: the node-rules builder groups local pods by their policy on every
     * sync, and a side's hash walks every peer rectangle (thousands at 10k pods, for each policy).
     */
    private final int hash;

    public Side(boolean isolated, Set<Interval> any, Set<AllowRect> rects) {
      this.isolated = isolated;
      this.any = Set.copyOf(any);
      // a RectSet is immutable and says what moved since its predecessor: kept, so the renderer
      // can move the rendered elements by that instead of formatting every peer again
      this.rects = rects instanceof RectSet ? rects : Set.copyOf(rects);
      this.hash = java.util.Objects.hash(isolated, this.any, this.rects);
    }

    public boolean isolated() {
      return isolated;
    }

    public Set<Interval> any() {
      return any;
    }

    public Set<AllowRect> rects() {
      return rects;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || o instanceof Side s && s.hash == hash && s.isolated == isolated && s.any.equals(any)
          && s.rects.equals(rects);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Side[isolated=" + isolated + ", any=" + any + ", rects=" + rects + "]";
    }

    /** Would a NEW connection with this peer, protocol and destination port pass this side? */
    public boolean allows(long peer, AllowRect.Proto protocol, int port) {
      if (!isolated) {
        return true;
      }
      for (Interval i : any) {
        if (i.contains(peer)) {
          return true;
        }
      }
      for (AllowRect r : rects) {
        if (r.protocol() == protocol && r.peers().contains(peer) && r.ports().contains(port)) {
          return true;
        }
      }
      return false;
    }
  }
}

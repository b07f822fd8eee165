package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
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
  public record Side(boolean isolated, Set<Interval> any, Set<AllowRect> rects) {
    public static final Side OPEN = new Side(false, Set.of(), Set.of());

    public Side {
      any = Set.copyOf(any);
      rects = Set.copyOf(rects);
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

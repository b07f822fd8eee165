package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.TierOrder.TierRects;
import java.util.Objects;

/**
 * What the ClusterNetworkPolicy tiers decide for one pod, per direction, first match already
 * resolved: the shape {@link dev.palisade.dataplane.render.NodeRules.Direction} takes for its
 * {@code admin} and {@code baseline} fields. The peer is the source for ingress, the destination
 * for egress.
 */
public record PodTiers(TierRects adminIngress, TierRects adminEgress, TierRects baselineIngress,
    TierRects baselineEgress) {
  public static final PodTiers NONE = new PodTiers(TierRects.NONE, TierRects.NONE, TierRects.NONE, TierRects.NONE);

  public PodTiers {
    Objects.requireNonNull(adminIngress, "adminIngress");
    Objects.requireNonNull(adminEgress, "adminEgress");
    Objects.requireNonNull(baselineIngress, "baselineIngress");
    Objects.requireNonNull(baselineEgress, "baselineEgress");
  }
}

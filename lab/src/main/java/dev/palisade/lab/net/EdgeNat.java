package dev.palisade.lab.net;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.Optional;

/**
 * Pure: a lab node's source NAT for connections leaving the cluster, as a CNI does it for pods
 * without routable addresses (Calico's natOutgoing): a new connection from the node towards the
 * outside's networks leaves with the node's address. It happens at postrouting, after the forward
 * hook where Palisade judges, so the agent's rules and conntrack's original tuple still see the
 * pod's own address; only the outside host sees the node's. Replies find their way back through
 * conntrack, so the outside needs no route to pod addresses (which scenarios may pin anywhere).
 *
 * <pre>
 *  postrouting, nat, srcnat + 10:  oifname "uplink" ip daddr @outside masquerade
 * </pre>
 *
 * Table {@code ip lab_edge}: not Palisade's nor the lab kube-proxy's, so neither ever rewrites it.
 */
public final class EdgeNat {
  public static final String FAMILY = "ip";
  public static final String TABLE = "lab_edge";

  private EdgeNat() {}

  /** The whole table; {@code outsideNets} are CIDRs, {@code uplink} the node's interface to the fabric. */
  public static Transaction render(String uplink, List<String> outsideNets) {
    if (outsideNets.isEmpty()) {
      throw new IllegalArgumentException("no outside networks to NAT towards");
    }
    Transaction tx = new Transaction(FAMILY, TABLE);
    tx.destroy(Table.of());
    tx.add(new Table(Optional.of("lab node: connections to the outside leave with the node's address")));
    // after kube-proxy's srcnat chain: a Service's own masquerade, if any, has been decided already
    tx.add(Chain.base("edge_postrouting", "nat", "postrouting", "srcnat + 10", "accept"));
    tx.add(Rule.of("edge_postrouting", "oifname \"" + uplink + "\" ip daddr { " + String.join(", ", outsideNets)
        + " } masquerade"));
    return tx;
  }
}

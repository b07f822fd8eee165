package dev.palisade.lab.ci;

import java.util.List;

/**
 * One edge the app's traffic made: how many connections went through and how many failed (a
 * failure in monitor mode can only be the manifests' own NetworkPolicy), which source pods made
 * them, what made the first one (a traffic entry or command) and when the flow graph first saw it
 * (epoch ms, 0 when unknown), for the patch's provenance.
 */
public record ObservedEdge(CiEdge edge, long connected, long failed, List<String> sourcePods, String firstBy,
    long firstSeen) {
  public ObservedEdge {
    sourcePods = List.copyOf(sourcePods);
    firstBy = firstBy == null ? "" : firstBy;
  }

  /** An observation without the graph's first-seen time (a failed connection never reaches the graph). */
  public ObservedEdge(CiEdge edge, long connected, long failed, List<String> sourcePods, String firstBy) {
    this(edge, connected, failed, sourcePods, firstBy, 0);
  }

  /** Merges another observation of the same edge (the first one's origin is kept). */
  public ObservedEdge plus(ObservedEdge o) {
    if (!o.edge.equals(edge)) {
      throw new IllegalArgumentException("cannot merge " + o.edge.text() + " into " + edge.text());
    }
    java.util.LinkedHashSet<String> pods = new java.util.LinkedHashSet<>(sourcePods);
    pods.addAll(o.sourcePods);
    return new ObservedEdge(edge, connected + o.connected, failed + o.failed, List.copyOf(pods),
        firstBy.isEmpty() ? o.firstBy : firstBy,
        firstSeen == 0 ? o.firstSeen : o.firstSeen == 0 ? firstSeen : Math.min(firstSeen, o.firstSeen));
  }
}

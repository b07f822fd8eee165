package dev.palisade.lab.ci;

import java.util.List;

/**
 * One edge the app's traffic made: how many connections went through and how many failed (a
 * failure in monitor mode can only be the manifests' own NetworkPolicy), which source pods made
 * them, and what made the first one (a traffic entry or command), for the patch's provenance.
 */
public record ObservedEdge(CiEdge edge, long connected, long failed, List<String> sourcePods, String firstBy) {
  public ObservedEdge {
    sourcePods = List.copyOf(sourcePods);
    firstBy = firstBy == null ? "" : firstBy;
  }

  /** Merges another observation of the same edge (the first one's origin is kept). */
  public ObservedEdge plus(ObservedEdge o) {
    if (!o.edge.equals(edge)) {
      throw new IllegalArgumentException("cannot merge " + o.edge.text() + " into " + edge.text());
    }
    java.util.LinkedHashSet<String> pods = new java.util.LinkedHashSet<>(sourcePods);
    pods.addAll(o.sourcePods);
    return new ObservedEdge(edge, connected + o.connected, failed + o.failed, List.copyOf(pods),
        firstBy.isEmpty() ? o.firstBy : firstBy);
  }
}

package dev.palisade.controller.metrics;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.GraphJson;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The graph's edges counted by [status, class] for the edges gauge: the same class the page shows
 * ({@link GraphJson#classOf}), so a dashboard's "service edges awaiting review" matches the page.
 */
public final class EdgeCounts {
  private EdgeCounts() {}

  /** @param dnsWorkloads the workloads behind the cluster DNS, as vertex names */
  public static Map<List<String>, Long> byStatusAndClass(Collection<EdgeView> edges, Set<String> dnsWorkloads) {
    Map<List<String>, Long> out = new HashMap<>();
    for (EdgeView v : edges) {
      out.merge(List.of(v.status().name().toLowerCase(Locale.ROOT), GraphJson.classOf(v, dnsWorkloads)), 1L,
          Long::sum);
    }
    return out;
  }
}

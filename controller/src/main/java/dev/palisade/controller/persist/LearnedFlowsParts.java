package dev.palisade.controller.persist;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure: one holder's {@link LearnedFlows} object (a workload's edges out, or an outside source's
 * into a workload: {@link LearnedFlowsHolder}) cut into parts whose JSON each stays under
 * {@link #BUDGET_BYTES}, by the bytes its edges take, not by their number: an edge with its 16
 * example pods at each end and long names takes fifty times the bytes of a plain one, so a count
 * that is safe for the worst edge wastes objects on every usual one, and one that suits the usual
 * edge lets a part of worst ones past the API server's limit.
 *
 * <p>Parts are filled in the edges' order (the graph's key order), each as full as the budget
 * lets it, named by {@link LearnedFlowsNames#part} (the writer may rename one). That is the
 * fewest parts any cut in this order can have, so adding an edge or growing one never makes them
 * fewer, and never moves an edge to an earlier part (the edges up to any one of them take no fewer
 * bytes than before, so no more of them fit in the parts before it). They must never be fewer: the
 * writer rewrites every part each time, and a part no longer written would keep stale copies of
 * edges for the restore to merge. And edges must only move on: the writer writes the last part
 * first so that a write cut short loses none. The one way an edge shrinks, its status reset to
 * learned, is taken out of the count by measuring every status at its widest; and a part's own
 * name, which the writer may change, is measured at its longest.
 */
final class LearnedFlowsParts {
  /**
   * Bytes of JSON a part may take. etcd refuses a request over 1.5 MiB (--max-request-bytes,
   * 1,572,864) and the API server stores a custom resource as JSON with metadata it adds (uid,
   * timestamps, managedFields: about a KiB here). A third of the limit leaves room for those and
   * keeps each write and watch event of a busy source, which rewrites its whole part, small.
   *
   * <p>One edge alone never comes near it. Its JSON is at most: the destination, a workload
   * NS/KIND/NAME of 253 + 1 + 21 + 1 + 253 = 529 characters (WorkloadRef's limits) or dns:NAME of
   * 4 + 253; 16 example pods at each end (FlowEdge.MAX_PODS), each NS/NAME of at most 63 + 1 +
   * 253 = 317 characters (PodNames keeps no longer one), at most 6 bytes a character as JSON (a
   * control character is escaped to six; a real pod name takes 1) and 3 for quotes and comma:
   * 32 x (317 x 6 + 3) = 60,960 bytes (10,240 with real names); port, protocol, status, four
   * numbers and the field names, under 300. So under 62 KiB: a part always holds its first edge,
   * and at least 8.
   */
  static final int BUDGET_BYTES = 512 * 1024;
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final int WIDEST_STATUS = Arrays.stream(EdgeStatus.values())
      .mapToInt(s -> s.name().length()).max().orElseThrow();

  private LearnedFlowsParts() {}

  /** {@code whole}'s edges, {@code h}'s, in parts under the budget; at least one part (an empty one for no edges). */
  static List<LearnedFlows> of(LearnedFlowsHolder h, LearnedFlows whole) {
    List<LearnedFlowsSpec.Edge> edges = whole.getSpec().edges;
    List<LearnedFlows> parts = new ArrayList<>();
    int from = 0;
    do {
      LearnedFlows part = emptyPart(h, whole, parts.size() + 1);
      // as if named at the longest: no other name makes a part hold less, and so move an edge back
      long bytes = bytes(part) + LearnedFlowsNames.LONGEST - part.getMetadata().getName().length();
      int to = from;
      while (to < edges.size()) {
        long more = measured(edges.get(to)) + (to > from ? 1 : 0); // and a comma after the first
        if (to > from && bytes + more > BUDGET_BYTES) {
          break;
        }
        bytes += more;
        to++;
      }
      part.getSpec().edges = new ArrayList<>(edges.subList(from, to));
      parts.add(part);
      from = to;
    } while (from < edges.size());
    return parts;
  }

  /** Part {@code n} (from 1) of {@code whole}, without edges yet. */
  private static LearnedFlows emptyPart(LearnedFlowsHolder h, LearnedFlows whole, int n) {
    LearnedFlowsSpec spec = new LearnedFlowsSpec();
    spec.source = whole.getSpec().source; // every part names its source: the restore merges them by it
    spec.edges = List.of();
    LearnedFlows part = new LearnedFlows();
    part.setMetadata(new ObjectMetaBuilder().withNamespace(whole.getMetadata().getNamespace())
        .withName(LearnedFlowsNames.part(h, n)).build());
    part.setSpec(spec);
    return part;
  }

  /** An edge's bytes as if its status were the widest, so that no change of status makes it smaller. */
  private static long measured(LearnedFlowsSpec.Edge e) {
    return bytes(e) + WIDEST_STATUS - (e.status == null ? 0 : e.status.length());
  }

  static long bytes(Object o) {
    return JSON.asJson(o).getBytes(StandardCharsets.UTF_8).length;
  }
}

package dev.palisade.controller.export;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Protocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A small flow graph for the exporter tests: a shop namespace with web, api, db and an idle
 * worker, a gateway in front, prometheus in ops, DNS in kube-system, and the world, with edges of
 * every status. Each workload has labels that select it alone.
 */
final class ShopGraph {
  static final String WEB = "shop/Deployment/web";
  static final String API = "shop/Deployment/api";
  static final String DB = "shop/StatefulSet/db";
  static final String WORKER = "shop/Deployment/worker";
  static final String GATEWAY = "front/Deployment/gateway";
  static final String PROM = "ops/Deployment/prometheus";
  static final String DNS = "kube-system/Deployment/coredns";
  static final String WORLD = "world";
  static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();

  static final Map<String, Map<String, String>> LABELS = Map.of(
      WEB, Map.of("app", "web"),
      API, Map.of("app", "api", "tier", "backend"),
      DB, Map.of("app", "db", "tier", "data"),
      WORKER, Map.of("app", "worker"),
      GATEWAY, Map.of("app", "gateway"),
      PROM, Map.of("app.kubernetes.io/name", "prometheus"),
      DNS, Map.of("k8s-app", "kube-dns"));

  private ShopGraph() {}

  static Map<String, String> labelsOf(String vertex) {
    return LABELS.getOrDefault(vertex, Map.of());
  }

  static FlowGraph build() {
    FlowGraph g = new FlowGraph();
    edge(g, GATEWAY, WEB, Protocol.TCP, 8080, EdgeStatus.APPROVED, 12, "front/gateway-7d9f-a", "shop/web-5c4b-x");
    edge(g, WORLD, WEB, Protocol.TCP, 443, EdgeStatus.APPROVED, 40, "", "shop/web-5c4b-x");
    edge(g, WEB, API, Protocol.TCP, 9090, EdgeStatus.APPROVED, 300, "shop/web-5c4b-x", "shop/api-6f7d-y");
    edge(g, WEB, API, Protocol.TCP, 9091, EdgeStatus.LEARNED, 2, "shop/web-5c4b-x", "shop/api-6f7d-y");
    edge(g, PROM, API, Protocol.TCP, 9102, EdgeStatus.LEARNED, 60, "ops/prometheus-0", "shop/api-6f7d-y");
    edge(g, API, DB, Protocol.TCP, 5432, EdgeStatus.APPROVED, 90, "shop/api-6f7d-y", "shop/db-0");
    edge(g, API, DNS, Protocol.UDP, 53, EdgeStatus.APPROVED, 500, "shop/api-6f7d-y", "kube-system/coredns-1");
    edge(g, API, WORLD, Protocol.TCP, 443, EdgeStatus.LEARNED, 7, "shop/api-6f7d-y", "");
    edge(g, WEB, DB, Protocol.TCP, 5432, EdgeStatus.REJECTED, 1, "shop/web-5c4b-x", "shop/db-0");
    edge(g, GATEWAY, "front/Deployment/static", Protocol.TCP, 80, EdgeStatus.APPROVED, 5, "front/gateway-7d9f-a",
        "front/static-1");
    return g;
  }

  /** The same graph, built by adding its edges in reverse order (so hash-ordered iteration may differ). */
  static FlowGraph rebuiltInReverse(FlowGraph g) {
    FlowGraph out = new FlowGraph();
    List<EdgeView> edges = new ArrayList<>(g.edges());
    Collections.reverse(edges);
    for (EdgeView e : edges) {
      out.restore(e.key(), e.status(), e.count(), e.firstSeen(), e.lastSeen(), e.violations(), e.sourcePods(),
          e.destinationPods());
    }
    return out;
  }

  static void edge(FlowGraph g, String src, String dst, Protocol p, int port, EdgeStatus status, long count,
      String srcPod, String dstPod) {
    g.restore(new EdgeKey(src, dst, p, port), status, count, T0, T0 + count * 1000, 0,
        srcPod.isEmpty() ? List.of() : List.of(srcPod), dstPod.isEmpty() ? List.of() : List.of(dstPod));
  }
}

package dev.palisade.controller.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outside peers in the NetworkPolicy export: ranges as ipBlocks, names left out and listed in an annotation. */
class OutsideExportTest {
  private static final String WEB = "shop/StatefulSet/web";

  private static EdgeView edge(String src, String dst, int port) {
    return new EdgeView(new EdgeKey(src, dst, Protocol.TCP, port), EdgeStatus.APPROVED, 3, 1, 2, 0, List.of(), List.of());
  }

  @Test
  void rangesAreIpBlocksAndNamesAreLeftOutButNamed() {
    PolicyExport out = new NetworkPolicyExporter(w -> Map.of("app", "web")).export(List.of(
        edge(WEB, "dns:api.payments.example", 443), edge(WEB, "203.0.113.10", 443),
        edge(WEB, "198.51.100.0/24", 8443), edge("198.51.100.20", WEB, 8080)), "shop", EnumSet.of(EdgeStatus.APPROVED));
    NetworkPolicy egress = out.policies().stream().map(PolicyExport.Draft::policy)
        .filter(p -> p.getSpec().getPolicyTypes().contains("Egress")).findFirst().orElseThrow();
    assertEquals(List.of("198.51.100.0/24", "203.0.113.10/32"), egress.getSpec().getEgress().stream()
        .map(r -> r.getTo().get(0).getIpBlock().getCidr()).toList());
    assertEquals("api.payments.example 443/TCP",
        egress.getMetadata().getAnnotations().get(NetworkPolicyExporter.DNS_NAMES_ANNOTATION));
    NetworkPolicy ingress = out.policies().stream().map(PolicyExport.Draft::policy)
        .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress")).findFirst().orElseThrow();
    assertEquals("198.51.100.20/32", ingress.getSpec().getIngress().get(0).getFrom().get(0).getIpBlock().getCidr());
    assertTrue(out.policies().stream().flatMap(d -> d.notes().stream())
        .anyMatch(n -> n.startsWith("not allowed here: to dns:api.payments.example 443/TCP: NetworkPolicy cannot")));
  }
}

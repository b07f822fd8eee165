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

/** Outside peers in the NetworkPolicy export: ranges as ipBlocks, names as their current addresses or left out and named. */
class OutsideExportTest {
  private static final String WEB = "shop/StatefulSet/web";

  private static EdgeView edge(String src, String dst, int port) {
    return new EdgeView(new EdgeKey(src, dst, Protocol.TCP, port), EdgeStatus.APPROVED, 3, 1, 2, 0, List.of(), List.of());
  }

  @Test
  void rangesAreIpBlocksAndUnresolvedNamesAreLeftOutButNamed() {
    PolicyExport out = new NetworkPolicyExporter(w -> Map.of("app", "web")).export(List.of(
        edge(WEB, "dns:api.payments.example", 443), edge(WEB, "203.0.113.10", 443),
        edge(WEB, "198.51.100.0/24", 8443), edge("198.51.100.20", WEB, 8080)), "shop", EnumSet.of(EdgeStatus.APPROVED));
    NetworkPolicy egress = out.policies().stream().map(PolicyExport.Draft::policy)
        .filter(p -> p.getSpec().getPolicyTypes().contains("Egress")).findFirst().orElseThrow();
    assertEquals(List.of("198.51.100.0/24", "203.0.113.10/32"), egress.getSpec().getEgress().stream()
        .map(r -> r.getTo().get(0).getIpBlock().getCidr()).toList());
    assertEquals("api.payments.example 443/TCP",
        egress.getMetadata().getAnnotations().get(NetworkPolicyExporter.DNS_LEFT_OUT_ANNOTATION));
    NetworkPolicy ingress = out.policies().stream().map(PolicyExport.Draft::policy)
        .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress")).findFirst().orElseThrow();
    assertEquals("198.51.100.20/32", ingress.getSpec().getIngress().get(0).getFrom().get(0).getIpBlock().getCidr());
    assertTrue(out.policies().stream().flatMap(d -> d.notes().stream())
        .anyMatch(n -> n.startsWith("not allowed here: to dns:api.payments.example 443/TCP: NetworkPolicy cannot")));
  }

  @Test
  void aResolvedNameIsItsCurrentAddressesWithTheNameBeside() {
    List<EdgeView> edges = List.of(edge(WEB, "dns:api.payments.example", 443), edge(WEB, "dns:*.s3.example", 443),
        edge("shop/StatefulSet/db", "dns:other.example", 5432));
    assertEquals(java.util.Set.of("api.payments.example", "*.s3.example", "other.example"),
        NetworkPolicyExporter.namesIn(edges, "shop", EnumSet.of(EdgeStatus.APPROVED)));
    PolicyExport out = new NetworkPolicyExporter(w -> Map.of("app", w.substring(w.lastIndexOf('/') + 1)),
        Map.of("api.payments.example", List.of("198.51.100.7", "203.0.113.5"))).export(edges, "shop",
            EnumSet.of(EdgeStatus.APPROVED));
    NetworkPolicy web = out.policies().stream().map(PolicyExport.Draft::policy)
        .filter(p -> p.getMetadata().getName().equals("palisade-egress-statefulset-web")).findFirst()
        .orElseThrow(() -> new AssertionError("no egress policy of web: " + out.policies().stream()
            .map(d -> d.policy().getMetadata().getName()).toList() + " skipped " + out.skipped()));
    assertEquals(List.of("198.51.100.7/32", "203.0.113.5/32"), web.getSpec().getEgress().get(0).getTo().stream()
        .map(t -> t.getIpBlock().getCidr()).toList());
    assertEquals("api.payments.example=198.51.100.7;203.0.113.5 443/TCP",
        web.getMetadata().getAnnotations().get(NetworkPolicyExporter.DNS_NAMES_ANNOTATION));
    assertEquals("*.s3.example 443/TCP", web.getMetadata().getAnnotations().get(NetworkPolicyExporter.DNS_LEFT_OUT_ANNOTATION));
    assertTrue(out.policies().stream().flatMap(d -> d.ruleNotes().stream()).flatMap(List::stream)
        .anyMatch(n -> n.contains("api.payments.example resolved to 198.51.100.7, 203.0.113.5 at export time")));
    assertTrue(out.skipped().stream().anyMatch(s -> s.startsWith("shop/StatefulSet/db: no Egress policy")
        && s.contains("the name did not resolve")), out.skipped().toString());
  }

  @Test
  void namesAreResolvedBoundedAndPatternsNever() throws Exception {
    java.util.Set<String> asked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Map<String, List<String>> got = NameAddresses.resolve(java.util.Set.of("a.example", "*.s3.example", "slow.example",
        "gone.example"), name -> {
          asked.add(name);
          return switch (name) {
            case "a.example" -> List.of("203.0.113.5");
            case "slow.example" -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              yield List.of("203.0.113.6");
            }
            default -> throw new java.net.UnknownHostException(name);
          };
        }, java.time.Duration.ofMillis(500));
    assertEquals(Map.of("a.example", List.of("203.0.113.5")), got);
    assertTrue(!asked.contains("*.s3.example"), "a pattern is never looked up");
    assertEquals(List.of("127.0.0.1"), NameAddresses.SYSTEM.ipv4("localhost").stream().filter("127.0.0.1"::equals)
        .toList(), "the system resolver answers");
  }
}

package dev.palisade.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PolicyReports: results per namespace, cross-namespace masking, the bound, the summary. */
class PolicyReportsTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/StatefulSet/db";
  private static final String PAY = "pay/Deployment/api";

  private static DropEvent drop(String kind, int port) {
    return new DropEvent(kind, "in", 300, 301, Protocol.TCP, port, 0, null, null);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> results(GenericKubernetesResource r) {
    return (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer> summary(GenericKubernetesResource r) {
    return (Map<String, Integer>) r.getAdditionalProperties().get("summary");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> properties(Map<String, Object> result) {
    return (Map<String, String>) result.get("properties");
  }

  @Test
  void aDropIsAFailResultOnEachEndWithItsCountAndTimes() {
    PolicyReports reports = new PolicyReports();
    assertEquals(Set.of("shop"), reports.observe(drop("enforce", 5432), WEB, DB, false, 1_000));
    reports.observe(drop("enforce", 5432), WEB, DB, false, 4_500);
    GenericKubernetesResource r = reports.report("shop");
    assertEquals("wgpolicyk8s.io/v1alpha2", r.getApiVersion());
    assertEquals("PolicyReport", r.getKind());
    assertEquals("palisade", r.getMetadata().getName());
    assertEquals("shop", r.getMetadata().getNamespace());
    List<Map<String, Object>> results = results(r);
    assertEquals(2, results.size(), "one on the client, one on the server: " + results);
    Map<String, Object> onDb = results.stream().filter(x -> x.get("resources").toString().contains("StatefulSet"))
        .findFirst().orElseThrow();
    assertEquals("palisade", onDb.get("source"));
    assertEquals("palisade-allowlist", onDb.get("policy"));
    assertEquals("shop/Deployment/web -> shop/StatefulSet/db 5432/TCP", onDb.get("rule"));
    assertEquals("fail", onDb.get("result"));
    assertEquals(List.of(Map.of("apiVersion", "apps/v1", "kind", "StatefulSet", "namespace", "shop", "name", "db")),
        onDb.get("resources"));
    assertEquals(Map.of("seconds", 4L, "nanos", 500_000_000), onDb.get("timestamp"));
    Map<String, String> p = properties(onDb);
    assertEquals("2", p.get("count"));
    assertEquals("1970-01-01T00:00:01Z", p.get("firstSeen"));
    assertEquals("1970-01-01T00:00:04.500Z", p.get("lastSeen"));
    assertEquals("enforce", p.get("mode"));
    assertEquals("palisade request shop/Deployment/web shop/StatefulSet/db 5432/TCP --reason \"WHY\"", p.get("request"));
    assertEquals(Map.of("pass", 0, "fail", 2, "warn", 0, "error", 0, "skip", 0), summary(r));
  }

  @Test
  void aWouldDropWarnsAndANetworkPolicyDropNamesItsLayer() {
    PolicyReports reports = new PolicyReports();
    reports.observe(drop("monitor", 80), WEB, DB, false, 1_000);
    reports.observe(drop("np", 81), WEB, DB, false, 1_000);
    List<Map<String, Object>> results = results(reports.report("shop"));
    assertTrue(results.stream().filter(x -> x.get("rule").toString().endsWith(" 80/TCP"))
        .allMatch(x -> x.get("result").equals("warn") && x.get("policy").equals("palisade-allowlist")
            && properties(x).get("mode").equals("monitor")), results.toString());
    assertTrue(results.stream().filter(x -> x.get("rule").toString().endsWith(" 81/TCP"))
        .allMatch(x -> x.get("result").equals("fail") && x.get("policy").equals("networkpolicy")), results.toString());
    assertEquals(Map.of("pass", 0, "fail", 2, "warn", 2, "error", 0, "skip", 0), summary(reports.report("shop")));
  }

  @Test
  void aCrossNamespaceEdgeIsInBothReportsWithTheOtherEndMasked() {
    PolicyReports reports = new PolicyReports();
    assertEquals(Set.of("shop", "pay"), reports.observe(drop("enforce", 443), WEB, PAY, false, 1_000));
    String shop = results(reports.report("shop")).toString();
    String pay = results(reports.report("pay")).toString();
    assertTrue(shop.contains("shop/Deployment/web -> pay/* 443/TCP"), shop);
    assertFalse(shop.contains("pay/Deployment") || shop.contains("name=api"), shop);
    assertTrue(pay.contains("shop/* -> pay/Deployment/api 443/TCP"), pay);
    assertFalse(pay.contains("shop/Deployment") || pay.contains("name=web"), pay);
    // with one end hidden, the request command cannot be given whole
    assertEquals("an access request on the review page", properties(results(reports.report("shop")).get(0))
        .get("request"));
  }

  @Test
  void endsThatAreNotWorkloadsGetNothing() {
    PolicyReports reports = new PolicyReports();
    assertEquals(Set.of("shop"), reports.observe(drop("enforce", 443), "world", DB, false, 1_000));
    assertEquals(1, reports.size("shop"));
    assertEquals(Set.of(), reports.observe(drop("enforce", 443), "world", "host", false, 1_000));
    assertEquals(List.of(), results(reports.report("empty")));
    assertEquals(0, summary(reports.report("empty")).get("fail"));
  }

  @Test
  void aNamespaceKeepsItsMostRecentlySeenResults() {
    PolicyReports reports = new PolicyReports(3);
    // world -> db: one result per port
    for (int port = 1; port <= 5; port++) {
      reports.observe(drop("enforce", port), "world", DB, false, port);
    }
    reports.observe(drop("enforce", 4), "world", DB, false, 10); // 4 seen again: 3 is now the oldest
    reports.observe(drop("monitor", 6), "world", DB, false, 11);
    List<Map<String, Object>> results = results(reports.report("shop"));
    assertEquals(List.of(" 4/TCP", " 5/TCP", " 6/TCP"), results.stream()
        .map(x -> x.get("rule").toString().substring(x.get("rule").toString().lastIndexOf(' '))).sorted().toList());
    Map<String, Integer> s = summary(reports.report("shop"));
    assertEquals(2, s.get("fail"));
    assertEquals(1, s.get("warn"));
    assertEquals(results.size(), s.values().stream().mapToInt(Integer::intValue).sum(), "summary counts the results");
  }

  @Test
  void aNonPositiveBoundIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PolicyReports(0));
    assertTrue(e.getMessage().contains("maxResults"), e.getMessage());
  }
}

package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.lab.ci.EdgeClassifier.FailOn;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeClassifierTest {
  static final CiEdge WEB_API = new CiEdge("shop/Deployment/web", "shop/Deployment/api", 8080, Protocol.TCP);
  static final CiEdge API_DB = new CiEdge("shop/Deployment/api", "shop/StatefulSet/db", 5432, Protocol.TCP);
  static final CiEdge API_COUPONS = new CiEdge("shop/Deployment/api", "shop/Deployment/coupons", 9090, Protocol.TCP);

  static ObservedEdge ok(CiEdge e) {
    return new ObservedEdge(e, 3, 0, List.of("shop/" + e.from().split("/")[2] + "-0"), "traffic.yaml flows[0]");
  }

  /** From outside: no client pod. */
  static ObservedEdge inbound(CiEdge e) {
    return new ObservedEdge(e, 3, 0, List.of(), "traffic.yaml flows[2]");
  }

  static ObservedEdge failed(CiEdge e) {
    return new ObservedEdge(e, 0, 3, List.of("shop/" + e.from().split("/")[2] + "-0"), "traffic.yaml flows[1]");
  }

  private static List<String> verdicts(List<Finding> fs) {
    return fs.stream().map(f -> f.verdict().label() + " " + f.edge().text()).toList();
  }

  @Test
  void aNamePatternOrARangeInTheBaselineCoversWhatItMatches() {
    CiEdge s3 = new CiEdge("shop/Deployment/api", "dns:eu.s3.example", 443, Protocol.TCP);
    CiEdge s3Other = new CiEdge("shop/Deployment/api", "dns:s3.example.org", 443, Protocol.TCP);
    CiEdge lb = new CiEdge("203.0.113.9", "shop/Deployment/web", 8080, Protocol.TCP);
    CiEdge lbOtherPort = new CiEdge("203.0.113.9", "shop/Deployment/web", 9090, Protocol.TCP);
    Baseline b = new Baseline(Map.of(new CiEdge("shop/Deployment/api", "dns:*.s3.example", 443, Protocol.TCP), "g.yaml",
        new CiEdge("203.0.113.0/24", "shop/Deployment/web", 8080, Protocol.TCP), "g.yaml"),
        Map.of(new CiEdge("shop/Deployment/api", "dns:*.example.org", 443, Protocol.TCP), "r.yaml"));
    assertEquals(List.of("forbidden " + s3Other.text(), "new " + lbOtherPort.text(), "approved " + lb.text(),
        "approved " + s3.text()), verdicts(EdgeClassifier.classify(List.of(ok(s3), ok(s3Other), inbound(lb), inbound(lbOtherPort)),
        b)), "and the wide edges count as exercised: no warning");
  }

  @Test
  void nothingApprovedMakesEveryObservedEdgeNew() {
    List<Finding> fs = EdgeClassifier.classify(List.of(ok(WEB_API), ok(API_DB)), Baseline.EMPTY);
    assertEquals(List.of("new " + API_DB.text(), "new " + WEB_API.text()), verdicts(fs));
    assertEquals(1, EdgeClassifier.exitCode(fs, FailOn.NEW));
  }

  @Test
  void approvedEdgesPassAndUnexercisedOnesAreOnlyAWarning() {
    Baseline b = new Baseline(Map.of(WEB_API, "g.yaml", API_DB, "g.yaml"), Map.of());
    List<Finding> fs = EdgeClassifier.classify(List.of(ok(WEB_API)), b);
    assertEquals(List.of("approved " + WEB_API.text(), "not-exercised " + API_DB.text()), verdicts(fs));
    assertEquals(0, EdgeClassifier.exitCode(fs, FailOn.NEW));
  }

  @Test
  void aRejectedEdgeIsForbiddenEvenIfAlsoApproved() {
    Baseline b = new Baseline(Map.of(WEB_API, "a.yaml"), Map.of(WEB_API, "r.yaml"));
    List<Finding> fs = EdgeClassifier.classify(List.of(ok(WEB_API)), b);
    assertEquals(Verdict.FORBIDDEN, fs.get(0).verdict());
    assertEquals("rejected in r.yaml", fs.get(0).why());
    assertEquals(2, EdgeClassifier.exitCode(fs, FailOn.NEW));
  }

  @Test
  void aFailedConnectionIsDroppedWhateverTheBaselineSays() {
    Baseline b = new Baseline(Map.of(API_DB, "g.yaml"), Map.of());
    List<Finding> fs = EdgeClassifier.classify(List.of(ok(WEB_API), failed(API_DB), ok(API_DB)), b);
    assertEquals(List.of("dropped " + API_DB.text(), "new " + WEB_API.text()), verdicts(fs));
    assertEquals("3 of 6 connections failed from shop/api-0; first by traffic.yaml flows[1]", fs.get(0).evidence());
    assertEquals(2, EdgeClassifier.exitCode(fs, FailOn.NEW));
  }

  @Test
  void observationsOfOneEdgeMergeKeepingTheFirstOrigin() {
    ObservedEdge a = new ObservedEdge(WEB_API, 1, 0, List.of("shop/web-0"), "flows[0]");
    ObservedEdge b = new ObservedEdge(WEB_API, 2, 0, List.of("shop/web-1"), "flows[3]");
    List<Finding> fs = EdgeClassifier.classify(List.of(a, b), Baseline.EMPTY);
    assertEquals(1, fs.size());
    assertEquals(3, fs.get(0).observed().connected());
    assertEquals(List.of("shop/web-0", "shop/web-1"), fs.get(0).observed().sourcePods());
    assertEquals("flows[0]", fs.get(0).observed().firstBy());
  }

  @Test
  void failOnLimitsTheExitCode() {
    List<Finding> onlyNew = EdgeClassifier.classify(List.of(ok(API_COUPONS)), Baseline.EMPTY);
    List<Finding> dropped = EdgeClassifier.classify(List.of(failed(API_COUPONS)), Baseline.EMPTY);
    assertEquals(0, EdgeClassifier.exitCode(onlyNew, FailOn.FORBIDDEN));
    assertEquals(2, EdgeClassifier.exitCode(dropped, FailOn.FORBIDDEN));
    assertEquals(0, EdgeClassifier.exitCode(dropped, FailOn.NEVER));
    assertEquals(0, EdgeClassifier.exitCode(List.of(), FailOn.NEW));
    CiInputException e = assertThrows(CiInputException.class, () -> FailOn.parse("sometimes"));
    assertEquals("--fail-on: must be new, forbidden or never, not 'sometimes'", e.getMessage());
  }

  /** The controller's graph JSON, as ci check reads it; ci run reads the same from its lab's controller. */
  @Test
  void orgGuardrailsForbidWhateverTheBaselineSaysAndAcceptWithoutApproval() {
    var graph = tools.jackson.databind.json.JsonMapper.builder().build().readTree("""
        {"edges":[
         {"source":"shop/Deployment/web","destination":"shop/Deployment/api","port":8080,"protocol":"TCP",
          "guardrail":{"verdict":"accept","rule":"ClusterNetworkPolicy shop rule within (Admin Accept, egress)"}},
         {"source":"shop/Deployment/api","destination":"shop/StatefulSet/db","port":5432,"protocol":"TCP",
          "guardrail":{"verdict":"forbid","rule":"ClusterNetworkPolicy shop rule no-db (Admin Deny, egress)"}},
         {"source":"shop/Deployment/api","destination":"shop/Deployment/coupons","port":9090,"protocol":"TCP",
          "guardrail":{"verdict":"review","rule":"ClusterNetworkPolicy shop rule coupons (Admin Pass, egress)"}}]}
        """);
    OrgGuardrails g = OrgGuardrails.fromGraphJson(graph);
    Baseline b = new Baseline(Map.of(API_DB, "g.yaml"), Map.of());
    List<Finding> fs = EdgeClassifier.classify(List.of(ok(WEB_API), ok(API_DB), ok(API_COUPONS)), b, g);
    assertEquals(List.of("forbidden " + API_DB.text(), "new " + API_COUPONS.text(), "approved " + WEB_API.text()),
        verdicts(fs));
    assertEquals("forbidden by org guardrail ClusterNetworkPolicy shop rule no-db (Admin Deny, egress)",
        fs.get(0).why(), "approved in the baseline, still forbidden: the kernel drops it");
    assertEquals("org guardrail ClusterNetworkPolicy shop rule within (Admin Accept, egress)", fs.get(2).baselineFile());
    assertEquals(2, EdgeClassifier.exitCode(fs, FailOn.NEW));
  }
}

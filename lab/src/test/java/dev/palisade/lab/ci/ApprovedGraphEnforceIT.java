package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.lab.cluster.LabScenarioTarget;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.testkit.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The patch palisade ci writes, applied with kubectl (here: the lab's apply) to a lab running
 * Palisade in enforce mode, lets exactly its calls through.
 */
@KernelTest
class ApprovedGraphEnforceIT {
  private static final Path APP = Path.of("../examples/ci-shop");

  @Test
  void aPatchAppliedToAnEnforcingClusterAllowsExactlyItsEdges() throws Exception {
    String labId = "ci18" + ProcessHandle.current().pid() % 100000 + "e";
    try (LabScenarioTarget t = new LabScenarioTarget(labId)) {
      t.setUp(new Scenario("enforce", "", "patch enforced", 1, List.of(), List.of(),
          Files.readString(APP.resolve("manifests/shop.yaml")), Scenario.Outside.NONE, List.of()));
      String patch = ApprovedGraphPatch.render(List.of(
          new ApprovedGraphPatch.Entry(new CiEdge("ci-shop/Deployment/web", "ci-shop/Deployment/api", 9090, Protocol.TCP),
              "palisade ci run", "traffic.yaml flows[0]", "", ""),
          new ApprovedGraphPatch.Entry(new CiEdge("ci-shop/Deployment/api", "ci-shop/StatefulSet/db", 5432, Protocol.TCP),
              "palisade ci run", "traffic.yaml flows[1]", "", "")), "ci-approved");
      // as kubectl apply -f patch.yaml would (the lab's apply knows only built-in kinds)
      t.lab().client().resources(ApprovedGraph.class).inNamespace("ci-shop")
          .load(new java.io.ByteArrayInputStream(patch.getBytes(java.nio.charset.StandardCharsets.UTF_8))).create();
      // the controller takes the objects in through its informer: wait until both servers admit their client
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(hasIngress(t, "deployment-api") && hasIngress(t, "statefulset-db"))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the ApprovedGraph never reached the allow-lists");
        }
        Thread.sleep(50);
      }
      t.perform(new Scenario.Step(1, "set-mode", Map.of("target", "namespace/ci-shop", "mode", "enforce"), List.of()));
      t.awaitConverged();
      String web = t.resolvePods("workload/ci-shop/Deployment/web").get(0);
      String api = t.resolvePods("workload/ci-shop/Deployment/api").get(0);
      String db = t.resolvePods("workload/ci-shop/StatefulSet/db").get(0);
      assertEquals(List.of(true, true, false, false), List.of(
          t.probe(web, t.podIp(api), 9090, "TCP"),
          t.probe(api, t.podIp(db), 5432, "TCP"),
          t.probe(web, t.podIp(db), 5432, "TCP"),
          t.probe(db, t.podIp(api), 9090, "TCP")), "web->api, api->db allowed; web->db, db->api not");
    } finally {
      assertEquals(0, LabNetwork.reap(labId), "the lab left network namespaces behind");
    }
  }

  private static boolean hasIngress(LabScenarioTarget t, String name) {
    AllowList al = t.lab().client().resources(AllowList.class).inNamespace("ci-shop").withName(name).get();
    return al != null && al.getSpec().ingress != null && !al.getSpec().ingress.isEmpty();
  }
}

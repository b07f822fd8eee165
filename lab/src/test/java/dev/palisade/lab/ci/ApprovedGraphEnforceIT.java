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
 * The patch palisade ci writes, applied with kubectl to a lab running Palisade in enforce mode,
 * lets exactly its calls through.
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
      Path dir = Files.createTempDirectory("ci18-kubectl");
      Files.writeString(dir.resolve("patch.yaml"), patch);
      kubectl(t.lab().api().writeKubeconfig(dir.resolve("kubeconfig")), dir, "apply", "-f",
          dir.resolve("patch.yaml").toString());
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

  /** The real kubectl (as CI has it at /usr/bin/kubectl), against the lab's API server. */
  private static void kubectl(Path kubeconfig, Path dir, String... args) throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed at " + kubectl);
    List<String> command = new java.util.ArrayList<>(List.of(kubectl.toString(), "--cache-dir",
        dir.resolve("cache").toString(), "--request-timeout", "30s"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    assertEquals(0, p.exitValue(), "kubectl " + String.join(" ", args) + ": " + Files.readString(dir.resolve("out")));
  }

  private static boolean hasIngress(LabScenarioTarget t, String name) {
    AllowList al = t.lab().client().resources(AllowList.class).inNamespace("ci-shop").withName(name).get();
    return al != null && al.getSpec().ingress != null && !al.getSpec().ingress.isEmpty();
  }
}

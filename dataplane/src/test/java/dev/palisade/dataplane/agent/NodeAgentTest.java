package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.KernelTrace;
import dev.palisade.kernel.conntrack.FakeConntrack;
import dev.palisade.dataplane.metrics.MetricsServer;
import dev.palisade.dataplane.metrics.ScrapedSamples;
import dev.palisade.kernel.nft.FakeNftables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wired agent over a CRUD mock API server and the fake kernel: it writes nothing before it
 * knows the controller's default mode, and it restores its table when another tool deletes or
 * changes it (the fake tells its watchers as the kernel's nftables monitor does).
 */
class NodeAgentTest {
  private static final String NODE = "node-1";
  private static final String POD_IP = "10.1.0.5";
  private static final String OUTSIDE = "192.0.2.7";
  private CrudApi api;
  private KubernetesClient client;
  private final FakeNftables nft = new FakeNftables();

  @BeforeEach
  void cluster() {
    api = new CrudApi();
    client = api.client;
    for (String ns : List.of("prod", ClusterDefaults.NAMESPACE)) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    SegmentationMode enforce = new SegmentationMode();
    enforce.setMetadata(new ObjectMetaBuilder().withNamespace("prod").withName("prod").build());
    enforce.setSpec(new SegmentationModeSpec());
    enforce.getSpec().mode = "enforce";
    client.resources(SegmentationMode.class).inNamespace("prod").resource(enforce).create();
    client.pods().inNamespace("prod").resource(new PodBuilder().withNewMetadata().withNamespace("prod")
        .withName("web").endMetadata().withNewSpec().withNodeName(NODE).endSpec().withNewStatus().withPodIP(POD_IP)
        .withPhase("Running").endStatus().build()).create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private void publishDefault(String mode) {
    client.configMaps().inNamespace(ClusterDefaults.NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(ClusterDefaults.CONFIG_MAP).endMetadata().addToData(ClusterDefaults.MODE_KEY, mode).build()).create();
  }

  private NodeAgent agent() {
    return new NodeAgent(client, NODE, nft, new FakeConntrack(), report -> { })
        .failsafe(FailsafeBuilder.Config.OFF).verifyEvery(Duration.ofHours(1));
  }

  private boolean outsideReachesPod() {
    return KernelTrace.accepts(nft.dump(), OUTSIDE, POD_IP, "tcp", 80);
  }

  @Test
  void nothingIsWrittenUntilTheControllerHasPublishedTheDefaultMode() throws Exception {
    try (NodeAgent agent = agent()) {
      agent.start(Duration.ofSeconds(20));
      Thread.sleep(300); // the agent has synced informers and tried to sync: it must hold back
      assertEquals(List.of(), nft.tableNames(), "a table written without knowing the default mode");
      assertFalse(agent.converged(0, Set.of(POD_IP)));
      publishDefault("learn");
      eventually(() -> agent.converged(0, Set.of(POD_IP)), "the rules once the default is known");
      assertFalse(outsideReachesPod(), "prod is enforced by its SegmentationMode, with nothing approved");
    }
  }

  @Test
  void aDeletedTableIsRestoredAndCounted() throws Exception {
    publishDefault("learn");
    try (NodeAgent agent = agent()) {
      agent.start(Duration.ofSeconds(20));
      eventually(() -> agent.converged(0, Set.of(POD_IP)) && !outsideReachesPod(), "enforced");
      nft.runAsOther(new Transaction("inet", "palisade").delete(NftObject.Table.of()));
      eventually(() -> !outsideReachesPod() && agent.tableRepairs() == 1, "the table restored");
      // one element: the pod's entry in the ingress dispatch map
      nft.runAsOther(new Transaction("inet", "palisade").deleteElements("ingress_dispatch", List.of(POD_IP)));
      eventually(() -> !outsideReachesPod() && agent.tableRepairs() == 2, "the element restored");
      nft.runAsOther(new Transaction("inet", "palisade").flush(NftObject.Table.of()));
      eventually(() -> !outsideReachesPod() && agent.tableRepairs() == 3, "the flushed table refilled");
    }
  }

  @Test
  void theBackstopVerificationFindsAChangeTheMonitorMissed() throws Exception {
    publishDefault("learn");
    try (NodeAgent agent = new NodeAgent(client, NODE, nft, new FakeConntrack(), report -> { })
        .failsafe(FailsafeBuilder.Config.OFF).verifyEvery(Duration.ofMillis(100))) {
      agent.start(Duration.ofSeconds(20));
      eventually(() -> agent.converged(0, Set.of(POD_IP)) && !outsideReachesPod(), "enforced");
      nft.run(new Transaction("inet", "palisade").delete(NftObject.Table.of())); // unseen by the monitor
      eventually(() -> !outsideReachesPod() && agent.tableRepairs() >= 1, "the table restored by verification");
    }
  }

  @Test
  void healthIsReadyOnlyOnceTheFirstSyncIsInForceAndARepairIsCountedOnItsMetricsPort() throws Exception {
    try (NodeAgent agent = agent();
        MetricsServer port = MetricsServer.start("127.0.0.1", 0, agent.metrics().registry(), agent::ready)) {
      agent.start(Duration.ofSeconds(20));
      String at = "http://127.0.0.1:" + port.port();
      assertEquals(200, get(at + "/healthz/live").statusCode());
      Thread.sleep(300); // informers synced, no default mode: no sync can be in force
      assertFalse(agent.ready());
      assertEquals(503, get(at + "/healthz/ready").statusCode());
      publishDefault("learn");
      eventually(agent::ready, "ready after the first sync");
      assertEquals(200, get(at + "/healthz/ready").statusCode());
      assertTrue(agent.converged(0, Set.of(POD_IP)), "ready means the rules are in force");
      nft.runAsOther(new Transaction("inet", "palisade").delete(NftObject.Table.of()));
      eventually(() -> agent.tableRepairs() == 1, "the table restored");
      HttpResponse<String> metrics = get(at + "/metrics");
      assertEquals(200, metrics.statusCode());
      ScrapedSamples s = ScrapedSamples.parse(metrics.body());
      assertEquals(1, s.sum("palisade_agent_tamper_repairs_total"), metrics.body());
      assertEquals(1, s.sum("palisade_agent_pods_covered"));
      assertEquals(1, s.sum("palisade_agent_ready"));
      assertTrue(s.sum("palisade_agent_sync_duration_seconds_count", java.util.Map.of("cause", "first")) == 1);
      assertTrue(s.sum("palisade_agent_ruleset_elements", java.util.Map.of("set", "ingress_dispatch")) >= 1);
      assertTrue(s.has("jvm_memory_used_bytes") && s.has("process_cpu_seconds_total"), "JVM and process metrics");
      assertEquals(404, get(at + "/nothing").statusCode());
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out: " + what);
      Thread.sleep(10);
    }
  }
}

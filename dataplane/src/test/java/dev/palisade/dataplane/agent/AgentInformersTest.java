package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The informers' handlers against a CRUD mock API server, with the worst timing a sync can have:
 * it starts the moment it is asked for, on the handler's own thread, before the handler returns.
 * A pod's change must already be in the change log then. Asked for first and noted after (the
 * order before f1ec7da), that sync drained a log without the pod, counted the request as served,
 * and the relabeled pod waited for some other event: LabScenarioIT's pod-relabel-peer failure.
 */
class AgentInformersTest {
  private CrudApi api;
  private KubernetesClient client;
  private AgentInformers informers;

  @BeforeEach
  void cluster() {
    api = new CrudApi();
    client = api.client;
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
        .create();
    client.pods().inNamespace("prod").resource(pod(Map.of("app", "web"))).create();
  }

  @AfterEach
  void stop() {
    if (informers != null) {
      informers.close();
    }
    api.close();
  }

  @Test
  void aSyncThatStartsTheMomentItIsAskedForSeesThePodThatAskedForIt() throws Exception {
    AtomicReference<AgentInformers> armed = new AtomicReference<>();
    List<PodDelta> seen = new CopyOnWriteArrayList<>();
    informers = new AgentInformers(client, "node-1", kind -> {
      AgentInformers i = armed.get();
      if (i != null && kind.equals("Pod")) {
        seen.add(i.podDelta()); // the sync runs now, inside the handler that asked for it
      }
    });
    informers.start(FailsafeBuilder.Config.OFF);
    informers.awaitSynced(Duration.ofSeconds(20));
    assertTrue(informers.podDelta().whole(), "the first sync reads every pod");
    armed.set(informers);

    client.pods().inNamespace("prod").withName("web").edit(p -> pod(Map.of("app", "web", "tier", "front")));

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (seen.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, seen.size(), "one sync for one relabel: " + seen);
    PodDelta delta = seen.get(0);
    assertTrue(!delta.whole() && delta.changed().containsKey("prod/web"),
        "the sync asked for by the relabel must see the relabeled pod, saw " + delta);
    Pod read = delta.changed().get("prod/web");
    assertNotNull(read);
    assertEquals("front", read.getMetadata().getLabels().get("tier"), "the store's newest object is read");
  }

  private static Pod pod(Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withNamespace("prod").withName("web").withLabels(labels).endMetadata()
        .withNewSpec().withNodeName("node-1").endSpec().withNewStatus().withPodIP("10.1.0.5").withPhase("Running")
        .endStatus().build();
  }
}

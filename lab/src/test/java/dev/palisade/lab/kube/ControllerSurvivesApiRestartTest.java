package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller against the lab's API server when that server restarts and then refuses the
 * informers' watches with 410 Gone (its resourceVersions "compacted"): the informers re-list, the
 * controller picks up what changed, and nothing is lost, renumbered or written twice.
 */
class ControllerSurvivesApiRestartTest {
  private LabApiServer api;
  private PalisadeController controller;

  @BeforeEach
  void up() {
    api = LabApiServer.start();
    api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
    pod("web");
    controller = new PalisadeController(api.client(), new StaticTokens(), Mode.ENFORCE);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
  }

  @AfterEach
  void down() {
    if (controller != null) {
      controller.close();
    }
    api.close();
  }

  private void pod(String name) {
    api.client().pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).build()).create();
  }

  private static void eventually(BooleanSupplier ok, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(50);
    }
  }

  private List<WorkloadIdentity> identities(KubernetesClient c) {
    return c.resources(WorkloadIdentity.class).inNamespace("shop").list().getItems();
  }

  @Test
  void informersRelistAfterARestartAnd410GoneAndNothingIsLostOrDuplicated() throws Exception {
    eventually(() -> identities(api.client()).size() == 1, "web's identity");
    long web = identities(api.client()).get(0).getSpec().id;
    String webVersion = identities(api.client()).get(0).getMetadata().getResourceVersion();

    api.restart(20); // every informer's next watch gets 410 Gone at least once
    pod("api");
    eventually(() -> identities(api.client()).size() == 2, "the pod created after the restart got its identity");
    assertTrue(api.watchesExpired() > 0, "watches were refused with 410 and the informers came back: "
        + api.watchesExpired());

    List<WorkloadIdentity> after = identities(api.client());
    WorkloadIdentity webAfter = after.stream().filter(w -> w.getSpec().name.equals("web")).findFirst().orElseThrow();
    assertEquals(web, webAfter.getSpec().id, "web keeps its number");
    assertEquals(webVersion, webAfter.getMetadata().getResourceVersion(), "web's identity was not written again");
    assertEquals(2, after.stream().map(w -> w.getSpec().id).distinct().count(), "two workloads, two numbers");
    // and the mode change made after the restart reaches the allow-lists: the mode informer is back too
    api.client().namespaces().withName("shop").edit(n -> {
      n.getMetadata().setAnnotations(Map.of("palisade.dev/mode", "monitor"));
      return n;
    });
    eventually(() -> api.client().resources(AllowList.class).inNamespace("shop").list().getItems().stream()
        .allMatch(a -> "monitor".equals(a.getSpec().mode)) && api.client().resources(AllowList.class)
        .inNamespace("shop").list().getItems().size() == 2, "both allow-lists follow the namespace's new mode");
  }
}

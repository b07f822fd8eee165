package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fail closed: what the controller publishes (AllowLists, the ConfigMap palisade-defaults) is
 * written back when someone deletes or edits it, and a write the API server refuses is retried
 * until it lands. The controller runs as its ServiceAccount under deploy/base's RBAC against the
 * lab's API server; the test tampers as lab-admin and refuses writes by editing the ClusterRole.
 */
class PublishedObjectsRepairTest {
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String SYSTEM = ClusterDefaults.NAMESPACE;
  /** The requirement: a tampered object is back within this. Typically it takes tens of milliseconds. */
  private static final Duration REPAIR_WITHIN = Duration.ofSeconds(1);

  private LabApiServer api;
  private KubernetesClient admin;
  private KubernetesClient asController;
  private PalisadeController controller;

  @BeforeEach
  void up() throws Exception {
    api = LabApiServer.start();
    admin = api.client();
    for (String ns : List.of(SYSTEM, "shop")) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    try (InputStream in = Files.newInputStream(DEPLOY.resolve("rbac-controller.yaml"))) {
      for (HasMetadata o : admin.load(in).items()) {
        admin.resource(o).create();
      }
    }
    String token = api.issueServiceAccountToken(SYSTEM, "palisade-controller", List.of(), TokenBinding.none(),
        Duration.ofHours(1)).token();
    asController = new KubernetesClientBuilder().withConfig(api.clientConfig(token)).build();
    pod("web");
    controller = new PalisadeController(asController, new StaticTokens(), Mode.ENFORCE, SYSTEM, Backoff.DEFAULT);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    eventually(() -> allowList("pod-web") != null, "web's allow-list");
  }

  @AfterEach
  void down() {
    if (controller != null) {
      controller.close();
    }
    if (asController != null) {
      asController.close();
    }
    api.close();
  }

  private void pod(String name) {
    admin.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).build()).create();
  }

  private AllowList allowList(String name) {
    return admin.resources(AllowList.class).inNamespace("shop").withName(name).get();
  }

  private ConfigMap defaults() {
    return admin.configMaps().inNamespace(SYSTEM).withName(ClusterDefaults.CONFIG_MAP).get();
  }

  private String json(Object o) {
    return admin.getKubernetesSerialization().asJson(o);
  }

  private List<ReviewAuditSpec> repairsAudited() {
    return admin.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
        .filter(s -> AuditLog.TAMPER_REPAIR.equals(s.action)).toList();
  }

  private static void eventually(BooleanSupplier ok, String what) throws InterruptedException {
    within(Duration.ofSeconds(20), ok, what);
  }

  private static void within(Duration limit, BooleanSupplier ok, String what) throws InterruptedException {
    long start = System.nanoTime();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() - start > limit.toNanos()) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(10);
    }
  }

  private void setNamespaceMode(String mode) throws InterruptedException {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop").build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    admin.resources(SegmentationMode.class).inNamespace("shop").resource(m).createOr(x -> x.update());
    eventually(() -> mode.equals(allowList("pod-web").getSpec().mode), "web's allow-list in mode " + mode);
  }

  @Test
  void aDeletedAllowListIsBackWithItsSpecAndTheRepairIsAudited() throws Exception {
    // the controller's own rewrites (three revisions) are not tampering...
    for (String mode : List.of("monitor", "learn", "enforce")) {
      setNamespaceMode(mode);
    }
    String published = json(allowList("pod-web").getSpec());

    admin.resources(AllowList.class).inNamespace("shop").withName("pod-web").delete();
    within(REPAIR_WITHIN, () -> {
      AllowList back = allowList("pod-web");
      return back != null && json(back.getSpec()).equals(published);
    }, "the deleted allow-list back with the spec the controller published");

    eventually(() -> !repairsAudited().isEmpty(), "an audit entry for the repair");
    // ...only the deletion was: its event came after theirs in the same watch
    assertEquals(1, repairsAudited().size(), repairsAudited().toString());
    ReviewAuditSpec e = repairsAudited().get(0);
    assertEquals("AllowList shop/pod-web", e.target);
    assertEquals("deleted", e.before);
    assertEquals("palisade-controller", e.who);
    assertEquals("controller", e.role);
    assertEquals(1, controller.publishing().repairs());
  }

  @Test
  void anEditedAllowListIsRestoredAndTheEditorNamed() throws Exception {
    String published = json(allowList("pod-web").getSpec());
    assertEquals("enforce", allowList("pod-web").getSpec().mode);

    admin.resources(AllowList.class).inNamespace("shop").withName("pod-web").edit(a -> {
      a.getSpec().mode = "learn"; // opens the pod
      a.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl-edit")
          .withOperation("Update").withApiVersion("palisade.dev/v1alpha1").withTime(Instant.now().toString())
          .build()));
      return a;
    });
    within(REPAIR_WITHIN, () -> json(allowList("pod-web").getSpec()).equals(published),
        "the edited allow-list restored");

    eventually(() -> !repairsAudited().isEmpty(), "an audit entry for the repair");
    ReviewAuditSpec e = repairsAudited().get(0);
    assertEquals("AllowList shop/pod-web", e.target);
    assertTrue(e.before.startsWith("spec edited"), e.before);
    // the lab's store keeps the managedFields a client sends (a real API server writes its own)
    assertEquals("spec edited by kubectl-edit", e.before);
    assertEquals(1, controller.publishing().repairs());
  }

  @Test
  void theDefaultModeIsPublishedAndRestoredAfterDeletionOrEdit() throws Exception {
    // the controller's --default-mode, and whether it honours workload mode annotations (this one: the default, yes)
    Map<String, String> published = Map.of(ClusterDefaults.MODE_KEY, "enforce",
        ClusterDefaults.WORKLOAD_ANNOTATIONS_KEY, ClusterDefaults.HONOURED);
    assertEquals(published, defaults().getData());

    admin.configMaps().inNamespace(SYSTEM).withName(ClusterDefaults.CONFIG_MAP).delete();
    within(REPAIR_WITHIN, () -> defaults() != null && published.equals(defaults().getData()),
        "the deleted ConfigMap back");

    admin.configMaps().inNamespace(SYSTEM).withName(ClusterDefaults.CONFIG_MAP).edit(c -> {
      c.setData(Map.of(ClusterDefaults.MODE_KEY, "learn", ClusterDefaults.WORKLOAD_ANNOTATIONS_KEY, "honoured"));
      return c;
    });
    within(REPAIR_WITHIN, () -> published.equals(defaults().getData()), "the edited ConfigMap restored");

    eventually(() -> repairsAudited().size() == 2, "both repairs audited");
    assertEquals(List.of("ConfigMap palisade-system/palisade-defaults"), repairsAudited().stream().map(s -> s.target)
        .distinct().toList());
    assertEquals(List.of("deleted", "data edited"), repairsAudited().stream().map(s -> s.before).toList());
    assertEquals(2, controller.publishing().repairs());
  }

  @Test
  void aRefusedPublishIsRetriedUntilItLands() throws Exception {
    ClusterRole role = admin.rbac().clusterRoles().withName("palisade-controller").get();
    List<PolicyRule> granted = role.getRules();
    // refuse the controller's writes of allow-lists (403), as a broken RBAC or an admission webhook would
    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.getRules().stream().filter(p -> p.getResources().equals(List.of("allowlists")))
          .forEach(p -> p.setVerbs(List.of("get", "list", "watch")));
      return r;
    });
    pod("api");
    eventually(() -> controller.publishing().failedWrites() >= 2, "the api allow-list's write refused, and retried");
    assertNull(allowList("pod-api"), "refused");
    assertEquals(1, controller.publishing().pending());
    // a change of both lists at once (their writes in flight together): both refused, both retried
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop").build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = "monitor";
    admin.resources(SegmentationMode.class).inNamespace("shop").resource(m).create();
    eventually(() -> controller.publishing().pending() == 2, "web's and api's writes refused and retried");
    assertEquals("enforce", allowList("pod-web").getSpec().mode, "nothing written while refused");

    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.setRules(granted);
      return r;
    });
    eventually(() -> allowList("pod-api") != null, "the retried write landed");
    assertNotNull(allowList("pod-api").getSpec());
    eventually(() -> "monitor".equals(allowList("pod-api").getSpec().mode), "api's retried list in the new mode");
    eventually(() -> "monitor".equals(allowList("pod-web").getSpec().mode), "web's retried list in the new mode");
    eventually(() -> controller.publishing().pending() == 0, "nothing left to retry");
    assertEquals(0, controller.publishing().repairs(), "a refused write is no tampering");
  }
}

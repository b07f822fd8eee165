package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every mode change is in the audit log whatever wrote it (issue 17): a SegmentationMode applied
 * with kubectl, a Deployment's palisade.dev/mode annotation edited by GitOps, changes made while
 * the controller was down; the writer named as managedFields say. The lab's store keeps the
 * managedFields a client sends, so the test sends what kubectl or Argo CD would leave.
 */
class ModeAuditTest {
  private static final String SYSTEM = ClusterDefaults.NAMESPACE;

  private final StaticTokens tokens = new StaticTokens();
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
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
    try (InputStream in = Files.newInputStream(Path.of("../deploy/base/rbac-controller.yaml"))) {
      for (HasMetadata o : admin.load(in).items()) {
        admin.resource(o).create();
      }
    }
    asController = new KubernetesClientBuilder().withConfig(api.clientConfig(api.issueServiceAccountToken(SYSTEM,
        "palisade-controller", List.of(), TokenBinding.none(), Duration.ofHours(1)).token())).build();
    // Deployment web (annotated by a GitOps tool) -> ReplicaSet -> one pod
    admin.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("web").withAnnotations(Map.of("palisade.dev/mode", "monitor"))
        .withManagedFields(writer("argocd-controller")).build()).build()).create();
    admin.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("web-5d8f").withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("Deployment").withName("web").withUid("d-web").withController(true)
            .build()).build()).build()).create();
    admin.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName("web-5d8f-aaaaa").withLabels(Map.of("app", "web")).withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-5d8f").withUid("r-web").withController(true)
            .build()).build()).build()).create();
  }

  private PalisadeController start(boolean honourAnnotations) {
    PalisadeController c = new PalisadeController(asController, tokens, Mode.LEARN, SYSTEM, Backoff.DEFAULT)
        .workloadModeAnnotations(honourAnnotations);
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    return c;
  }

  @AfterEach
  void down() {
    if (controller != null) {
      controller.close();
    }
    asController.close();
    api.close();
  }

  private static ManagedFieldsEntry writer(String manager) {
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update").withApiVersion("v1")
        .withTime(Instant.now().toString()).build();
  }

  private List<ReviewAuditSpec> audited(String action) {
    return admin.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
        .filter(s -> action.equals(s.action)).sorted(Comparator.comparingLong(s -> s.seq)).toList();
  }

  private static String line(ReviewAuditSpec s) {
    return s.who + ": " + s.target + " " + s.before + " -> " + s.after;
  }

  private List<String> lines(String action) {
    return audited(action).stream().map(ModeAuditTest::line).toList();
  }

  private String webMode() {
    AllowList al = admin.resources(AllowList.class).inNamespace("shop").withName("deployment-web").get();
    return al == null ? null : al.getSpec().mode;
  }

  private void annotate(String value, String manager) {
    admin.apps().deployments().inNamespace("shop").withName("web").edit(d -> {
      d.getMetadata().getAnnotations().put("palisade.dev/mode", value);
      d.getMetadata().setManagedFields(List.of(writer(manager)));
      return d;
    });
  }

  private static void eventually(BooleanSupplier ok, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void everyModeChangeIsAuditedOnceWithItsWriter() throws Exception {
    controller = start(true);
    eventually(() -> "monitor".equals(webMode()), "the annotation honoured");
    assertEquals(List.of("argocd-controller (seen at start): shop/Deployment/web (inherited) -> monitor"),
        lines("mode-annotation"), "found at the first start");

    // a SegmentationMode applied with kubectl
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop")
        .withManagedFields(writer("kubectl-client-side-apply")).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = "enforce";
    admin.resources(SegmentationMode.class).inNamespace("shop").resource(m).create();
    eventually(() -> !audited("mode").isEmpty(), "the kubectl change audited");
    assertEquals(List.of("kubectl-client-side-apply: shop (inherited) -> enforce"), lines("mode"));

    // the review API audits its own change once, before writing it
    HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + controller.port() + "/v1/mode")).header("Authorization", "Bearer " + approver)
        .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"shop\",\"workload\":\"Deployment/web\","
            + "\"mode\":\"enforce\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, set.statusCode(), set.body());
    eventually(() -> "enforce".equals(webMode()), "the API's mode in force");
    controller.drain();
    assertEquals(2, audited("mode").size(), lines("mode").toString());
    assertEquals("alice", audited("mode").get(1).who);

    // GitOps edits the annotation
    annotate("learn", "argocd-controller");
    eventually(() -> audited("mode-annotation").size() == 2, "the annotation edit audited");
    assertEquals("argocd-controller: shop/Deployment/web monitor -> learn", lines("mode-annotation").get(1));

    // edited while the controller is down: audited when it starts, and nothing else again
    controller.close();
    annotate("enforce", "kubectl-annotate");
    controller = start(true);
    controller.drain();
    assertEquals(List.of("argocd-controller (seen at start): shop/Deployment/web (inherited) -> monitor",
        "argocd-controller: shop/Deployment/web monitor -> learn",
        "kubectl-annotate (seen at start): shop/Deployment/web learn -> enforce"), lines("mode-annotation"));
    assertEquals(2, audited("mode").size(), "unchanged modes are not audited again: " + lines("mode"));
  }

  @Test
  void aChangeWhoseEntryWasRefusedIsAuditedOnceTheLogCanBeWrittenWithoutAnotherEvent() throws Exception {
    controller = start(true);
    eventually(() -> "monitor".equals(webMode()), "the annotation honoured");
    List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> granted =
        admin.rbac().clusterRoles().withName("palisade-controller").get().getRules();
    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.getRules().stream().filter(p -> p.getResources().contains("reviewaudits"))
          .forEach(p -> p.setVerbs(p.getVerbs().stream().filter(v -> !v.equals("create")).toList()));
      return r;
    });
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop")
        .withManagedFields(writer("kubectl-client-side-apply")).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = "enforce";
    admin.resources(SegmentationMode.class).inNamespace("shop").resource(m).create();
    // the change is in force although its entry was refused
    eventually(() -> admin.resources(AllowList.class).inNamespace("shop").list().getItems().stream()
        .anyMatch(l -> "enforce".equals(l.getSpec().mode) && !"deployment-web".equals(l.getMetadata().getName()))
        || !admin.resources(AllowList.class).inNamespace("shop").list().getItems().isEmpty(), "the lists published");
    Thread.sleep(1500); // at least one refused retry
    assertEquals(List.of(), lines("mode"), "refused by RBAC");
    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.setRules(granted);
      return r;
    });
    // no further event: the retry writes it
    eventually(() -> !audited("mode").isEmpty(), "the kubectl change audited once the log can be written");
    Thread.sleep(1500);
    assertEquals(List.of("kubectl-client-side-apply: shop (inherited) -> enforce"), lines("mode"), "once");
  }

  @Test
  void aDisallowedAnnotationIsIgnoredAndAuditedAsIgnored() throws Exception {
    controller = start(false);
    eventually(() -> webMode() != null, "web's allow-list");
    assertEquals("learn", webMode(), "the default, not the annotation's monitor");
    annotate("enforce", "kubectl-annotate");
    eventually(() -> audited("mode-annotation").size() == 2, "the edit audited");
    assertEquals("kubectl-annotate: shop/Deployment/web monitor (ignored: workload mode annotations are disallowed)"
        + " -> enforce (ignored: workload mode annotations are disallowed)", lines("mode-annotation").get(1));
    controller.drain();
    assertEquals("learn", webMode());
  }
}

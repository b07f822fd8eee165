package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
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
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's fault injection: the audit write, the save (LearnedFlows) and the publish
 * (AllowLists) each fail once, refused by the lab API server's RBAC as a broken grant or an
 * admission webhook would; each review decision is then either fully in force and audited or not
 * at all. The controller runs as its ServiceAccount under deploy/base's RBAC.
 */
class DecisionFaultsTest {
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String SYSTEM = ClusterDefaults.NAMESPACE;
  private static final String APPROVE = "{\"status\":\"approved\",\"only\":[{\"from\":\"shop/Pod/web\","
      + "\"to\":\"shop/Pod/api\",\"port\":9090,\"protocol\":\"TCP\"}]";

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final HttpClient http = HttpClient.newHttpClient();
  private LabApiServer api;
  private KubernetesClient admin;
  private KubernetesClient asController;
  private PalisadeController controller;
  private List<PolicyRule> granted;

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
    granted = admin.rbac().clusterRoles().withName("palisade-controller").get().getRules();
    String token = api.issueServiceAccountToken(SYSTEM, "palisade-controller", List.of(), TokenBinding.none(),
        Duration.ofHours(1)).token();
    asController = new KubernetesClientBuilder().withConfig(api.clientConfig(token)).build();
    for (String pod : List.of("web", "api")) {
      admin.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(pod).withLabels(Map.of("app", pod)).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
    }
    controller = startController();
    eventually(() -> allowList() != null, "api's allow-list");
    HttpResponse<String> flows = call("/v1/flows", agent, "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":"
        + idOf("pod-web") + ",\"dst\":" + idOf("pod-api") + ",\"protocol\":\"TCP\",\"port\":9090,\"count\":3,"
        + "\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ",\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/api\"]}]}");
    assertEquals(200, flows.statusCode(), flows.body());
    eventually(() -> "learned".equals(savedStatus()), "the learned edge saved (batched, within a second)");
  }

  private PalisadeController startController() {
    PalisadeController c = new PalisadeController(asController, tokens, Mode.ENFORCE, SYSTEM,
        new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)));
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    return c;
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

  private long idOf(String name) {
    return admin.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get().getSpec().id;
  }

  private AllowList allowList() {
    return admin.resources(AllowList.class).inNamespace("shop").withName("pod-api").get();
  }

  /** The audit log as stored, oldest first: action, target and request id of each entry. */
  private List<String> auditLog() {
    return admin.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
        .sorted(java.util.Comparator.comparingLong(x -> x.seq))
        .map(x -> x.action + " " + x.target + " " + x.requestId).toList();
  }

  /** The api pod's published rules, as JSON: what the agents enforce. */
  private String published() {
    return admin.getKubernetesSerialization().asJson(allowList().getSpec().ingress);
  }

  private boolean webMayReachApi() {
    return allowList().getSpec().ingress.stream()
        .anyMatch(r -> Long.valueOf(idOf("pod-web")).equals(r.peerIdentity) && "9090".equals(r.ports));
  }

  /** The web -> api edge's status as saved in LearnedFlows, or null. */
  private String savedStatus() {
    LearnedFlows lf = admin.resources(LearnedFlows.class).inNamespace("shop").withName("pod-web").get();
    return lf == null || lf.getSpec().edges == null ? null : lf.getSpec().edges.stream()
        .filter(e -> e.destination.equals("shop/Pod/api") && e.port == 9090).map(e -> e.status).findFirst().orElse(null);
  }

  private long approvalsAudited() {
    return admin.resources(ReviewAudit.class).list().getItems().stream().filter(a -> "approve".equals(a.getSpec().action))
        .count();
  }

  private String graphStatus() throws Exception {
    String g = call("/v1/graph", approver, null).body();
    return g.contains("\"status\":\"approved\"") ? "approved" : g.contains("\"status\":\"learned\"") ? "learned" : g;
  }

  /** Removes the verbs that write {@code resource} from the controller's ClusterRole (403 from now on). */
  private void refuseWrites(String resource) {
    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.getRules().stream().filter(p -> p.getResources().contains(resource))
          .forEach(p -> p.setVerbs(p.getVerbs().stream().filter(v -> !v.equals("create") && !v.equals("update")).toList()));
      return r;
    });
  }

  private void grantAgain() {
    admin.rbac().clusterRoles().withName("palisade-controller").edit(r -> {
      r.setRules(granted);
      return r;
    });
  }

  private HttpResponse<String> call(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .header("Authorization", "Bearer " + token);
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
  void aModeSentAgainWithItsIdAfterItsWriteFailedIsWrittenNotJustAnsweredAsARepeat() throws Exception {
    String body = "{\"namespace\":\"shop\",\"workload\":\"Pod/web\",\"mode\":\"monitor\",\"id\":\"m-1\"}";
    refuseWrites("segmentationmodes");
    HttpResponse<String> refused = call("/v1/mode", approver, body);
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("send the request again"), refused.body());
    assertEquals(List.of(), admin.resources(dev.palisade.model.crd.SegmentationMode.class).inNamespace("shop").list()
        .getItems());

    grantAgain();
    HttpResponse<String> again = call("/v1/mode", approver, body);
    assertEquals(200, again.statusCode(), again.body());
    assertTrue(again.body().contains("\"repeated\":true"), again.body());
    // before: answered as a repeat of the audited decision, with nothing written
    assertEquals(List.of("Pod/web=monitor"), admin.resources(dev.palisade.model.crd.SegmentationMode.class)
        .inNamespace("shop").list().getItems().stream().map(m -> m.getSpec().workload + "=" + m.getSpec().mode)
        .toList());
    // the controller has seen its write (web is published in monitor mode), so anything it audits of it is in
    eventually(() -> {
      AllowList web = admin.resources(AllowList.class).inNamespace("shop").withName("pod-web").get();
      return web != null && "monitor".equals(web.getSpec().mode);
    }, "web's allow-list in monitor mode");
    controller.drain();
    // the log ends saying the decision is in force: kept when sent again, an entry without the id, so
    // the decision is still counted once (before: nothing said so, and the controller audited its own
    // write as a change it observed)
    assertEquals(List.of("mode shop/Pod/web m-1", "mode-failed shop/Pod/web null", "mode-kept shop/Pod/web null"),
        auditLog());
  }

  @Test
  void aSnapshotWhoseAuditEntryIsRefusedIsNotKept() throws Exception {
    refuseWrites("reviewaudits");
    HttpResponse<String> refused = call("/v1/snapshots", approver, "{\"name\":\"before-review\"}");
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("snapshot 'before-review' was not kept"), refused.body());
    assertEquals(List.of(), admin.resources(dev.palisade.model.crd.GraphSnapshot.class).list().getItems(),
        "kept and audited, or neither");
    assertEquals("[]", call("/v1/snapshots", approver, null).body());

    assertEquals("[]", call("/v1/audit", approver, null).body(), "nothing audited");

    // the snapshot's own write refused: audited, then audited as not kept
    grantAgain();
    refuseWrites("graphsnapshots");
    HttpResponse<String> notKept = call("/v1/snapshots", approver, "{\"name\":\"before-review\"}");
    assertEquals(503, notKept.statusCode(), notKept.body());
    assertTrue(notKept.body().contains("it was not kept"), notKept.body());
    assertEquals(List.of("snapshot before-review", "snapshot-failed before-review"),
        admin.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
            .sorted(java.util.Comparator.comparingLong(x -> x.seq)).map(x -> x.action + " " + x.target).toList());

    grantAgain();
    HttpResponse<String> ok = call("/v1/snapshots", approver, "{\"name\":\"before-review\"}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, admin.resources(dev.palisade.model.crd.GraphSnapshot.class).list().getItems().size());
  }

  @Test
  void aSnapshotSentAgainWithItsIdAfterItsWriteFailedIsKeptUnderItsOneEntry() throws Exception {
    refuseWrites("graphsnapshots");
    String body = "{\"name\":\"before-review\",\"id\":\"snap-1\"}";
    HttpResponse<String> notKept = call("/v1/snapshots", approver, body);
    assertEquals(503, notKept.statusCode(), notKept.body());
    grantAgain();
    HttpResponse<String> again = call("/v1/snapshots", approver, body);
    assertEquals(200, again.statusCode(), again.body());
    assertTrue(again.body().contains("\"repeated\":true"), again.body());
    assertEquals(1, admin.resources(dev.palisade.model.crd.GraphSnapshot.class).list().getItems().size());
    // one decision, one entry with its id (before: a second 'snapshot' entry under the same id); the log
    // ends saying it was kept (before: it ended at 'snapshot-failed', as if it never was)
    assertEquals(List.of("snapshot before-review snap-1", "snapshot-failed before-review null",
        "snapshot-kept before-review null"), auditLog());

    // sent once more (its answer lost again): answered from the snapshot kept, nothing more audited
    HttpResponse<String> third = call("/v1/snapshots", approver, body);
    assertEquals(200, third.statusCode(), third.body());
    assertTrue(third.body().contains("\"repeated\":true"), third.body());
    assertEquals(3, auditLog().size(), String.join("\n", auditLog()));
  }

  @Test
  void aFailedAuditWriteDecidesNothing() throws Exception {
    String rules = published();
    String audit = call("/v1/audit", approver, null).body();
    refuseWrites("reviewaudits");

    HttpResponse<String> refused = call("/v1/review", approver, APPROVE + "}");
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("audit log could not be written"), refused.body());
    assertEquals("learned", graphStatus(), "the graph is unchanged");
    assertEquals(audit, call("/v1/audit", approver, null).body(), "the audit log is unchanged");
    controller.drain();
    assertEquals(rules, published(), "nothing was published");
    assertEquals("learned", savedStatus());

    grantAgain();
    HttpResponse<String> ok = call("/v1/review", approver, APPROVE + "}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("approved", graphStatus());
    eventually(this::webMayReachApi, "the approval in force");
    assertEquals(1, approvalsAudited());
  }

  @Test
  void aFailedSaveStillHoldsTheDecisionAcrossARestart() throws Exception {
    refuseWrites("learnedflows");
    HttpResponse<String> ok = call("/v1/review", approver, APPROVE + "}");
    assertEquals(200, ok.statusCode(), "audited and in force, its save retried: " + ok.body());
    eventually(this::webMayReachApi, "the approval in force");
    assertEquals(1, approvalsAudited());
    assertEquals("learned", savedStatus(), "the save was refused");

    // the process stops before the save is retried: the next one replays the audit log
    controller.close();
    controller = startController();
    assertEquals("approved", graphStatus(), "the decision holds after the restart");
    assertTrue(webMayReachApi());

    grantAgain();
    eventually(() -> "approved".equals(savedStatus()), "the save retried until it landed");
    assertEquals(1, approvalsAudited(), "replaying is not deciding again");
  }

  @Test
  void aFailedPublishIsRetriedUntilTheDecisionIsInForce() throws Exception {
    String rules = published();
    refuseWrites("allowlists");
    HttpResponse<String> ok = call("/v1/review", approver, APPROVE + "}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, approvalsAudited());
    eventually(() -> controller.publishing().failedWrites() >= 2, "the publish refused, and retried");
    assertEquals(rules, published(), "refused");

    grantAgain();
    eventually(this::webMayReachApi, "the retried publish landed");
    eventually(() -> "approved".equals(savedStatus()), "saved");
  }

  @Test
  void aRequestSentAgainWithItsIdIsNotDecidedTwice() throws Exception {
    String once = APPROVE + ",\"id\":\"pr-17-run-1\"}";
    HttpResponse<String> first = call("/v1/review", approver, once);
    assertEquals(200, first.statusCode(), first.body());
    // someone else undoes it in between; the retry must not approve again
    HttpResponse<String> undo = call("/v1/review", approver, APPROVE.replace("approved", "learned") + "}");
    assertEquals(200, undo.statusCode(), undo.body());
    HttpResponse<String> again = call("/v1/review", approver, once);
    assertEquals(200, again.statusCode(), again.body());
    assertTrue(again.body().contains("\"repeated\":true"), again.body());
    assertEquals("learned", graphStatus());
    assertEquals(1, approvalsAudited());

    // the id is remembered across a restart (it is in the audit log)
    controller.close();
    controller = startController();
    assertTrue(call("/v1/review", approver, once).body().contains("\"repeated\":true"));
    HttpResponse<String> reused = call("/v1/review", approver, APPROVE.replace("approved", "rejected")
        + ",\"id\":\"pr-17-run-1\"}");
    assertEquals(409, reused.statusCode(), reused.body());
    assertNotEquals("approved", graphStatus());
  }
}

package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
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
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's guardrails routing learning, on the lab API server with deploy/base's RBAC and the
 * controller as its ServiceAccount. The org's guardrail: "anything may talk inside shop; nothing
 * in shop reaches payments, except checkout, which a reviewer judges". Learning the app leaves
 * only checkout -> payments for review; the auto-approval is audited with its rule and compiled
 * into the allow-list; the forbidden edge cannot be approved (409 naming the policy); verdicts
 * survive a restart without being decided again; deleting the policy hands its edges back.
 */
class GuardrailRoutingTest {
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String SYSTEM = ClusterDefaults.NAMESPACE;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String GUARDRAILS = """
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata: {name: checkout-pays}
      spec:
        tier: Admin
        priority: 10
        subject: {pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: checkout}}}}
        egress:
        - {name: to-payments, action: Pass, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}]}
      ---
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata: {name: shop}
      spec:
        tier: Admin
        priority: 20
        subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
        egress:
        - {name: within-shop, action: Accept, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}
        - {name: no-payments, action: Deny, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}]}
      """;

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final HttpClient http = HttpClient.newHttpClient();
  private LabApiServer api;
  private KubernetesClient admin;
  private KubernetesClient asController;
  private PalisadeController controller;

  @BeforeEach
  void up() throws Exception {
    api = LabApiServer.start();
    admin = api.client();
    for (String ns : List.of(SYSTEM, "shop", "payments")) {
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
    pod("shop", "web", "10.244.0.11");
    pod("shop", "api", "10.244.0.12");
    pod("shop", "checkout", "10.244.0.13");
    pod("payments", "pay", "10.244.0.21");
    for (HasMetadata o : admin.load(new ByteArrayInputStream(GUARDRAILS.getBytes(StandardCharsets.UTF_8))).items()) {
      admin.resource(o).create();
    }
    controller = startController();
    eventually(() -> allowList("shop", "pod-api") != null, "api's allow-list");
    long now = System.currentTimeMillis();
    HttpResponse<String> flows = call("/v1/flows", agent, "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":["
        + flow("shop", "web", "shop", "api", 9090, now) + "," + flow("shop", "web", "payments", "pay", 8443, now) + ","
        + flow("shop", "checkout", "payments", "pay", 8443, now) + "]}");
    assertEquals(200, flows.statusCode(), flows.body());
    assertTrue(flows.body().contains("\"accepted\":3"), flows.body());
  }

  private void pod(String ns, String name, String ip) {
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(Map.of("app", name)).endMetadata().withNewSpec().withNodeName("lab-node-0").endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build()).create();
  }

  private String flow(String srcNs, String src, String dstNs, String dst, int port, long now) {
    return "{\"src\":" + idOf(srcNs, src) + ",\"dst\":" + idOf(dstNs, dst) + ",\"protocol\":\"TCP\",\"port\":" + port
        + ",\"count\":2,\"first\":" + (now - 1000) + ",\"last\":" + now + ",\"srcPods\":[\"" + srcNs + "/" + src
        + "\"],\"dstPods\":[\"" + dstNs + "/" + dst + "\"]}";
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

  private long idOf(String ns, String pod) {
    return admin.resources(WorkloadIdentity.class).inNamespace(ns).withName("pod-" + pod).get().getSpec().id;
  }

  private AllowList allowList(String ns, String name) {
    return admin.resources(AllowList.class).inNamespace(ns).withName(name).get();
  }

  /** Whether the server's published ingress lets the client in on the port. */
  private boolean published(String clientNs, String client, String serverNs, String server, int port) {
    AllowList al = allowList(serverNs, "pod-" + server);
    return al != null && al.getSpec().ingress != null && al.getSpec().ingress.stream()
        .anyMatch(r -> Long.valueOf(idOf(clientNs, client)).equals(r.peerIdentity) && String.valueOf(port).equals(r.ports));
  }

  private JsonNode edge(String from, String to) throws Exception {
    for (JsonNode e : JSON.readTree(call("/v1/graph", approver, null).body()).path("edges")) {
      if (e.path("source").asString().equals(from) && e.path("destination").asString().equals(to)) {
        return e;
      }
    }
    return null;
  }

  private List<ReviewAuditSpec> audited(String action) {
    return admin.resources(ReviewAudit.class).list().getItems().stream().map(ReviewAudit::getSpec)
        .filter(s -> action.equals(s.action)).toList();
  }

  private HttpResponse<String> call(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path))
        .header("Authorization", "Bearer " + token);
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void eventually(CheckedSupplier ok, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!ok.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @FunctionalInterface
  private interface CheckedSupplier {
    boolean get() throws Exception;
  }

  private String status(String from, String to) throws Exception {
    JsonNode e = edge(from, to);
    return e == null ? null : e.path("status").asString();
  }

  @Test
  void learningLeavesOnlyWhatTheGuardrailsDoNotSettle() throws Exception {
    eventually(() -> "approved".equals(status("shop/Pod/web", "shop/Pod/api")), "web -> api approved by the guardrail");
    JsonNode within = edge("shop/Pod/web", "shop/Pod/api");
    assertEquals("guardrail:ClusterNetworkPolicy shop rule within-shop (Admin Accept, egress)",
        within.path("approvedBy").asString(), within.toString());
    eventually(() -> "forbidden".equals(status("shop/Pod/web", "payments/Pod/pay")), "web -> pay forbidden");
    JsonNode forbidden = edge("shop/Pod/web", "payments/Pod/pay");
    assertEquals("forbid", forbidden.path("guardrail").path("verdict").asString());
    assertTrue(forbidden.path("guardrail").path("rule").asString().contains("no-payments"), forbidden.toString());
    JsonNode review = edge("shop/Pod/checkout", "payments/Pod/pay");
    assertEquals("learned", review.path("status").asString(), "the Pass leaves it to a reviewer");
    assertEquals("review", review.path("guardrail").path("verdict").asString());
    assertTrue(review.path("guardrail").path("rule").asString().contains("checkout-pays rule to-payments"), review.toString());

    // every auto-approval is in the audit log with its rule, and in force
    List<ReviewAuditSpec> approvals = audited("guardrail-approve");
    assertEquals(1, approvals.size());
    assertTrue(approvals.get(0).target.contains("within-shop"), approvals.get(0).target);
    assertEquals("shop/Pod/web -> shop/Pod/api 9090/TCP", approvals.get(0).edges.get(0).edge);
    eventually(() -> published("shop", "web", "shop", "api", 9090), "the auto-approval compiled into api's allow-list");
    assertEquals(1, audited("guardrail-forbid").size());

    // a forbidden edge cannot be approved: 409 naming the policy, nothing decided
    HttpResponse<String> refused = call("/v1/review", approver, "{\"status\":\"approved\",\"only\":[{\"from\":"
        + "\"shop/Pod/web\",\"to\":\"payments/Pod/pay\",\"port\":8443,\"protocol\":\"TCP\"}]}");
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("ClusterNetworkPolicy shop rule no-payments"), refused.body());
    assertTrue(audited("approve").isEmpty());
    assertFalse(published("shop", "web", "payments", "pay", 8443));
    // "all" approves only what may be approved
    HttpResponse<String> all = call("/v1/review", approver, "{\"status\":\"approved\",\"all\":true}");
    assertEquals(200, all.statusCode(), all.body());
    assertEquals("forbidden", status("shop/Pod/web", "payments/Pod/pay"));
    assertEquals("approved", status("shop/Pod/checkout", "payments/Pod/pay"));
    controller.drain();
    assertFalse(published("shop", "web", "payments", "pay", 8443));
    assertTrue(published("shop", "checkout", "payments", "pay", 8443));

    // a restart enforces what was decided before it judges, and decides nothing again
    controller.close();
    controller = startController();
    assertEquals("approved", status("shop/Pod/web", "shop/Pod/api"));
    assertEquals("forbidden", status("shop/Pod/web", "payments/Pod/pay"));
    assertEquals(1, audited("guardrail-approve").size());
    assertEquals(1, audited("guardrail-forbid").size());

    // the policy deleted: its edges go back to review, audited
    admin.genericKubernetesResources("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy").withName("shop")
        .delete();
    eventually(() -> audited("guardrail-release").size() == 2, "both releases audited");
    eventually(() -> "learned".equals(status("shop/Pod/web", "payments/Pod/pay")), "web -> pay reviewable again");
    // web -> api keeps the approval "all" gave it on review; the guardrail's is gone
    assertEquals("review", edge("shop/Pod/web", "shop/Pod/api").path("approvedBy").asString());
    assertEquals("learned", status("shop/Pod/web", "payments/Pod/pay"), "no longer forbidden: reviewable");
  }

  /** A policy Palisade cannot enforce says so on itself, and is never half-applied (it judges nothing). */
  @Test
  void aPolicyThatCannotBeEnforcedSaysWhyInItsStatus() throws Exception {
    var cnps = admin.genericKubernetesResources("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy");
    for (HasMetadata o : admin.load(new ByteArrayInputStream("""
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: bad-cidr}
        spec:
          tier: Admin
          priority: 5
          subject: {namespaces: {}}
          egress:
          - {name: everything, action: Deny, to: [{networks: [10.244.0.300/24]}]}
        """.getBytes(StandardCharsets.UTF_8))).items()) {
      admin.resource(o).create();
    }
    eventually(() -> condition(cnps.withName("bad-cidr").get()) != null, "the bad policy's condition");
    Map<?, ?> bad = condition(cnps.withName("bad-cidr").get());
    assertEquals("False", bad.get("status"));
    assertEquals("NotEnforceable", bad.get("reason"));
    assertTrue(String.valueOf(bad.get("message")).contains("10.244.0.300/24"), bad.toString());
    eventually(() -> condition(cnps.withName("shop").get()) != null, "the good policy's condition");
    assertEquals("True", condition(cnps.withName("shop").get()).get("status"));
    // its Deny would cover web -> api, had it been applied: the guardrail that holds still approves
    eventually(() -> "approved".equals(status("shop/Pod/web", "shop/Pod/api")), "web -> api approved");
  }

  /** Palisade's condition on a cluster policy, or null. */
  private static Map<?, ?> condition(io.fabric8.kubernetes.api.model.GenericKubernetesResource o) {
    if (o == null || !(o.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
        || !(status.get("conditions") instanceof List<?> conditions)) {
      return null;
    }
    return conditions.stream().filter(c -> c instanceof Map<?, ?> m && "palisade.dev/Enforced".equals(m.get("type")))
        .map(c -> (Map<?, ?>) c).findFirst().orElse(null);
  }

  /** The count of what is left for a human, on the review page in real headless Chromium. */
  @Test
  void thePageCountsWhatIsLeftForReview() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    boolean present = Files.isExecutable(chromium) && Files.isExecutable(chromedriver);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but chromium or chromedriver is missing: PALISADE_BROWSER=1 "
          + "scripts/install-deps.sh installs them");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(present, "skipped: no " + chromium + " / " + chromedriver);
    eventually(() -> "forbidden".equals(status("shop/Pod/web", "payments/Pod/pay")), "judged");
    Path profile = Files.createTempDirectory("pal-chromium-");
    var options = new org.openqa.selenium.chrome.ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile);
    var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    var browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
    try {
      browser.get("http://127.0.0.1:" + controller.port() + "/");
      browser.findElement(org.openqa.selenium.By.id("token")).sendKeys(approver);
      browser.findElement(org.openqa.selenium.By.id("login")).click();
      var counts = org.openqa.selenium.By.id("guardrail-counts");
      new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(15))
          .until(d -> d.findElement(counts).getText().contains("forbidden"));
      assertEquals("1 to review · 1 approved by guardrails · 1 forbidden", browser.findElement(counts).getText());
    } finally {
      browser.quit();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}

package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.review.ModeProblems;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@MockApiServer
class PalisadeControllerTest {
  KubernetesClient client; // a mock API server per test: each test starts controllers with many watches of its own

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private final HttpClient http = HttpClient.newHttpClient();
  private PalisadeController controller;

  @BeforeEach
  void start() {
    deploymentPod("web", "web-5d8f", "web-5d8f-aaaaa");
    deploymentPod("api", "api-77aa", "api-77aa-bbbbb");
    controller = startController();
  }

  private PalisadeController startController() {
    PalisadeController c = new PalisadeController(client, tokens, Mode.LEARN);
    c.start("127.0.0.1", 0, Duration.ofSeconds(20));
    c.drain();
    return c;
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  private void deploymentPod(String deploy, String rs, String pod) {
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).createOr(x -> x.update());
    Pod p = new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(pod)
        .withLabels(Map.of("app", deploy, "pod-template-hash", rs.substring(rs.indexOf('-') + 1)))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs)
            .withUid("r-" + rs).withController(true).build()).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build();
    client.pods().inNamespace("shop").resource(p).createOr(x -> x.update());
  }

  private long idOf(String name) {
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get().getSpec().id;
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  private String report(long seq, long src, long dst, int port) {
    return report(seq, src, dst, port, "\"shop/web-5d8f-aaaaa\"", "\"shop/api-77aa-bbbbb\"");
  }

  /** A report of lab-node-0 (where both test pods run) naming these pods (JSON strings) at each end. */
  private String report(long seq, long src, long dst, int port, String srcPods, String dstPods) {
    long now = System.currentTimeMillis();
    return "{\"node\":\"lab-node-0\",\"sequence\":" + seq + ",\"flows\":[{\"src\":" + src + ",\"dst\":" + dst
        + ",\"protocol\":\"TCP\",\"port\":" + port + ",\"count\":3,\"first\":" + (now - 1000) + ",\"last\":" + now
        + ",\"srcPods\":[" + srcPods + "],\"dstPods\":[" + dstPods + "]}]}";
  }

  @Test
  void probesNeedNoTokenAndASyncedControllerIsReady() throws Exception {
    HttpResponse<String> ready = call("GET", "/healthz/ready", null, null);
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(200, call("GET", "/healthz/live", null, null).statusCode());
    assertEquals(200, call("GET", "/healthz", null, null).statusCode());
    assertEquals(401, call("GET", "/healthz/other", null, null).statusCode(), "only the probes are public");
  }

  @Test
  void learnsApprovesCompilesAndSurvivesARestart() throws Exception {
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").list().getItems().size() == 2,
        "one identity per deployment");
    long web = idOf("deployment-web");
    long api = idOf("deployment-api");
    assertTrue(web >= 256 && api >= 256 && web != api);

    assertEquals(401, call("POST", "/v1/flows", null, report(1, web, api, 9090)).statusCode());
    assertEquals(401, call("POST", "/v1/flows", "forged", report(1, web, api, 9090)).statusCode());
    assertEquals(403, call("POST", "/v1/flows", viewer, report(1, web, api, 9090)).statusCode());
    HttpResponse<String> ok = call("POST", "/v1/flows", agent, report(1, web, api, 9090));
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(call("GET", "/v1/graph", viewer, null).body().contains("\"status\":\"learned\""));

    // enforce the namespace, approve the edge: both ends get their rule
    segmentationMode("shop", "namespace", "enforce");
    eventually(() -> allow("deployment-api") != null && "enforce".equals(allow("deployment-api").getSpec().mode),
        "the mode reaches the allow-list");
    assertEquals(403, call("POST", "/v1/review", viewer, "{\"status\":\"approved\"}").statusCode());
    HttpResponse<String> approved = call("POST", "/v1/review", approver, "{\"status\":\"approved\",\"only\":[{\"from\":"
        + "\"shop/Deployment/web\",\"to\":\"shop/Deployment/api\",\"port\":9090,\"protocol\":\"TCP\"}]}");
    assertEquals(200, approved.statusCode(), approved.body());
    assertTrue(approved.body().contains("\"changed\":1"), approved.body());
    AllowList apiList = allow("deployment-api");
    assertEquals(1, apiList.getSpec().ingress.size());
    assertEquals(web, apiList.getSpec().ingress.get(0).peerIdentity);
    assertEquals("9090", apiList.getSpec().ingress.get(0).ports);
    assertEquals(api, allow("deployment-web").getSpec().egress.get(0).peerIdentity);
    long revision = apiList.getSpec().revision;
    // the approval rewrote both ends under one revision, and each list says so (agents count them)
    assertEquals(revision, allow("deployment-web").getSpec().revision);
    assertEquals(2, apiList.getSpec().revisionSize);
    assertEquals(2, allow("deployment-web").getSpec().revisionSize);

    // restart: same ids, same approved edge, no new revision for an unchanged allow-list
    controller.close();
    controller = startController();
    assertEquals(web, idOf("deployment-web"));
    assertTrue(call("GET", "/v1/graph", viewer, null).body().contains("\"status\":\"approved\""));
    assertEquals(revision, allow("deployment-api").getSpec().revision);
  }

  private AllowList allow(String name) {
    return client.resources(AllowList.class).inNamespace("shop").withName(name).get();
  }

  @Test
  void malformedReportsAreRefusedAndChangeNothing() throws Exception {
    String before = call("GET", "/v1/graph", viewer, null).body();
    String[] bad = {"", "{", "[]", "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":1}]}",
        "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[],\"x\":1}", report(1, 300, 301, 0),
        report(1, 300, 301, 9090).replace("lab-node-0", "lab-node-1")};
    for (String b : bad) {
      int code = call("POST", "/v1/flows", agent, b).statusCode();
      assertTrue(code >= 400 && code < 500, code + " for " + b);
    }
    for (int i = 0; i < 1000; i++) {
      String b = switch (i % 4) {
        case 0 -> "{\"node\":\"lab-node-0\",\"sequence\":" + i + ",\"flows\":\"" + "x".repeat(i) + "\"}";
        case 1 -> report(i, 300, 301, 65536 + i);
        case 2 -> report(i, 300, 301, 80).replace("10.", "").replace("\"count\":3", "\"count\":-" + i);
        default -> "{\"node\":\"lab-node-0\",\"sequence\":" + i + ",\"flows\":[" + "{}, ".repeat(i % 50) + "{}]}";
      };
      int code = call("POST", "/v1/flows", agent, b).statusCode();
      assertTrue(code >= 400 && code < 500, code + " for " + b);
    }
    // A 5 MiB body is refused on its headers: only the headers are sent here, so the 413 is read
    // without racing the server's close against the rest of the body (a client still writing it
    // can see a broken pipe instead of the answer)
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", controller.port())) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write(("POST /v1/flows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + agent
          + "\r\nContent-Type: application/json\r\nContent-Length: " + (5 * 1024 * 1024) + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      raw.getOutputStream().flush();
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(raw.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
    }
    assertEquals(before, call("GET", "/v1/graph", viewer, null).body());
  }

  @Test
  void modeAnnotationsOnNamespacesAndRootOwnersAreHonouredNearestFirst() throws Exception {
    eventually(() -> allow("deployment-api") != null && allow("deployment-web") != null, "allow-lists published");
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of("palisade.dev/mode", "enforce")).endMetadata().build()).createOr(x -> x.update());
    eventually(() -> "enforce".equals(allow("deployment-api").getSpec().mode)
        && "enforce".equals(allow("deployment-web").getSpec().mode), "the namespace's annotation reaches both");
    client.apps().deployments().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata().withNamespace("shop").withName("web").withAnnotations(Map.of("palisade.dev/mode", "monitor"))
        .endMetadata().build()).createOr(x -> x.update());
    eventually(() -> "monitor".equals(allow("deployment-web").getSpec().mode), "the root owner's annotation is nearer");
    assertEquals("enforce", allow("deployment-api").getSpec().mode);
    // a typo fails closed: web is enforced at its own level (and told, see below), nothing opens
    client.apps().deployments().inNamespace("shop").withName("web").edit(d -> {
      d.getMetadata().getAnnotations().put("palisade.dev/mode", "monitr");
      return d;
    });
    eventually(() -> "enforce".equals(allow("deployment-web").getSpec().mode), "a bad annotation is ignored");
  }

  @Test
  void probesFromTheNodeAndDnsToTheClusterDnsAreClassifiedNotServiceEdges() throws Exception {
    client.services().inNamespace("kube-system").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withNewMetadata().withNamespace("kube-system").withName("kube-dns").endMetadata()
        .withNewSpec().withSelector(Map.of("k8s-app", "kube-dns")).endSpec().build()).createOr(x -> x.update());
    client.pods().inNamespace("kube-system").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("kube-system").withName("coredns").withLabels(Map.of("k8s-app", "kube-dns")).build()).build())
        .createOr(x -> x.update());
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("kube-system").withName("pod-coredns").get() != null,
        "an identity for the DNS pod");
    long dns = client.resources(WorkloadIdentity.class).inNamespace("kube-system").withName("pod-coredns").get().getSpec().id;
    long web = idOf("deployment-web");
    long api = idOf("deployment-api");
    assertEquals(200, call("POST", "/v1/flows", agent, report(1, web, dns, 53, "\"shop/web-5d8f-aaaaa\"", "")).statusCode());
    assertEquals(200, call("POST", "/v1/flows", agent, report(2, 2, api, 9090, "", "\"shop/api-77aa-bbbbb\"")).statusCode()); // 2: the node (host)
    assertEquals(200, call("POST", "/v1/flows", agent, report(3, web, api, 9090)).statusCode());
    var edges = tools.jackson.databind.json.JsonMapper.builder().build().readTree(call("GET", "/v1/graph", viewer, null).body())
        .get("edges");
    Map<String, String> classes = new java.util.HashMap<>();
    edges.forEach(e -> classes.put(e.get("source").asString() + ">" + e.get("destination").asString(), e.get("class").asString()));
    assertEquals("dns", classes.get("shop/Deployment/web>kube-system/Pod/coredns"), classes.toString());
    assertEquals("probe", classes.get("host>shop/Deployment/api"), classes.toString());
    assertEquals("service", classes.get("shop/Deployment/web>shop/Deployment/api"), classes.toString());
  }

  @Test
  void anAgentTeachesOnlyWhatItsNodeCanHaveSeen() throws Exception {
    long web = idOf("deployment-web");
    long api = idOf("deployment-api");
    String before = call("GET", "/v1/graph", viewer, null).body();
    String otherNode = tokens.issue(new Principal("lab-node-1", Role.AGENT));
    // lab-node-1 runs neither pod: a flow between them is not its to report
    HttpResponse<String> poisoned = call("POST", "/v1/flows", otherNode,
        report(1, web, api, 9090).replace("lab-node-0", "lab-node-1"));
    assertEquals(200, poisoned.statusCode(), poisoned.body());
    assertTrue(poisoned.body().contains("\"accepted\":0,\"refused\":1"), poisoned.body());
    // lab-node-0's own pod, claimed as another workload's
    HttpResponse<String> forged = call("POST", "/v1/flows", agent, report(2, api, web, 9090,
        "\"shop/web-5d8f-aaaaa\"", ""));
    assertTrue(forged.body().contains("\"accepted\":0,\"refused\":1"), forged.body());
    assertEquals(before, call("GET", "/v1/graph", viewer, null).body(), "nothing learned");
    String status = call("GET", "/v1/status", viewer, null).body();
    assertTrue(status.contains("\"refusedFlowRecords\":{\"not-local\":1,\"wrong-identity\":1}"), status);
  }

  @Test
  void anApproverScopedToANamespaceDecidesOnlyInsideIt() throws Exception {
    long web = idOf("deployment-web");
    long api = idOf("deployment-api");
    assertEquals(200, call("POST", "/v1/flows", agent, report(1, web, api, 9090)).statusCode());
    String shopOnly = tokens.issue(new Principal("carol", Role.APPROVER, java.util.Set.of("shop")));
    String paymentsOnly = tokens.issue(new Principal("dave", Role.APPROVER, java.util.Set.of("payments")));
    String edge = "{\"status\":\"approved\",\"only\":[{\"from\":\"shop/Deployment/web\",\"to\":"
        + "\"shop/Deployment/api\",\"port\":9090}]}";
    HttpResponse<String> outside = call("POST", "/v1/review", paymentsOnly, edge);
    assertEquals(403, outside.statusCode(), outside.body());
    assertTrue(outside.body().contains("touches namespace 'shop'"), outside.body());
    HttpResponse<String> all = call("POST", "/v1/review", shopOnly, "{\"status\":\"approved\",\"all\":true}");
    assertEquals(403, all.statusCode(), all.body());
    assertTrue(all.body().contains("cluster-wide approver"), all.body());
    HttpResponse<String> mode = call("POST", "/v1/mode", paymentsOnly, "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
    assertEquals(403, mode.statusCode(), mode.body());
    assertTrue(call("GET", "/v1/graph", viewer, null).body().contains("\"status\":\"learned\""), "nothing decided");
    HttpResponse<String> inside = call("POST", "/v1/review", shopOnly, edge);
    assertEquals(200, inside.statusCode(), inside.body());
    assertTrue(call("GET", "/v1/graph", viewer, null).body().contains("\"status\":\"approved\""));
  }
  @Test
  void aPodWhoseOwnerArrivesLaterIsResolvedAgainToItsDeployment() throws Exception {
    // a pod without pod-template-hash, its ReplicaSet not (yet) in the API: resolved as far as it can be
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName("late-9c1e-ccccc").withLabels(Map.of("app", "late")).withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("ReplicaSet").withName("late-9c1e").withUid("r-late").withController(true)
            .build()).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName("replicaset-late-9c1e")
        .get() != null, "the pod's identity as far as its owners are known");
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("late-9c1e").withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName("late").withUid("d-late").withController(true).build()).build())
        .build()).create();
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-late")
        .get() != null, "the Deployment's identity once the ReplicaSet arrived");
    long late = idOf("deployment-late");
    long web = idOf("deployment-web");
    // the pod now counts as the Deployment's: a flow naming it under that identity is the node's to report ...
    HttpResponse<String> now = call("POST", "/v1/flows", agent, report(1, late, web, 8080,
        "\"shop/late-9c1e-ccccc\"", "\"shop/web-5d8f-aaaaa\""));
    assertTrue(now.body().contains("\"accepted\":1,\"refused\":0"), now.body());
    // ... and under the ReplicaSet's, it is not
    HttpResponse<String> stale = call("POST", "/v1/flows", agent, report(2, idOf("replicaset-late-9c1e"), web, 8081,
        "\"shop/late-9c1e-ccccc\"", "\"shop/web-5d8f-aaaaa\""));
    assertTrue(stale.body().contains("\"accepted\":0,\"refused\":1"), stale.body());
  }

  @Test
  void podsAndOwnersPresentAtStartGetOnlyTheirRootOwnersIdentities() throws Exception {
    // nothing is resolved from a partial view: whichever store syncs first, no ReplicaSet identity is written
    controller.close();
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName("nohash-1").withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName("nohash").withUid("d-nohash").withController(true).build()).build())
        .build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName("nohash-1-ddddd").withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("ReplicaSet").withName("nohash-1").withUid("r-nohash").withController(true).build()).build())
        .withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
    controller = startController();
    for (WorkloadIdentity wi : client.resources(WorkloadIdentity.class).inNamespace("shop").list().getItems()) {
      assertTrue(wi.getMetadata().getName().startsWith("deployment-"), wi.getMetadata().getName());
    }
    assertEquals(3, client.resources(WorkloadIdentity.class).inNamespace("shop").list().getItems().size());
  }

  /** Creates or replaces the namespace's SegmentationMode; the mock API server checks no schema, as an old object would not. */
  private void segmentationMode(String ns, String name, String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    client.resources(SegmentationMode.class).inNamespace(ns).resource(m).createOr(x -> x.update());
  }

  private void namespaceMode(String ns, String mode) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
        .withAnnotations(Map.of("palisade.dev/mode", mode)).endMetadata().build()).createOr(x -> x.update());
  }

  /** The controller's Warning Events about bad modes on this object. */
  private List<Event> modeWarnings(String eventNamespace, String kind, String name) {
    return client.v1().events().inNamespace(eventNamespace).list().getItems().stream()
        .filter(e -> ModeProblems.REASON.equals(e.getReason()) && "Warning".equals(e.getType()))
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /**
   * Modes are resolved again on every mode change anywhere: here three times, then a bad
   * SegmentationMode elsewhere whose Event, once written, says every Event asked for before is
   * written too (they are written in order, on one thread).
   */
  private void resolveModesAgainSeveralTimes() throws InterruptedException {
    for (String mode : List.of("learn", "monitor", "learn")) {
      namespaceMode("elsewhere", mode);
      controller.drain();
    }
    segmentationMode("marker", "namespace", "enfroce");
    eventually(() -> modeWarnings("marker", "SegmentationMode", "namespace").size() == 1, "the marker's Event");
  }

  @Test
  void aMisspeltSegmentationModeEnforcesItsTargetAndGetsOneWarningEventPerAppearance() throws Exception {
    eventually(() -> allow("deployment-api") != null && allow("deployment-web") != null, "allow-lists published");
    segmentationMode("shop", "shop-mode", "enforcing"); // what the CRD's enum refuses, arriving all the same
    eventually(() -> "enforce".equals(allow("deployment-api").getSpec().mode)
        && "enforce".equals(allow("deployment-web").getSpec().mode), "fails closed: enforce, never learn");
    resolveModesAgainSeveralTimes();
    List<Event> told = modeWarnings("shop", "SegmentationMode", "shop-mode");
    assertEquals(1, told.size(), "one Event, not one per resolution: " + told);
    assertTrue(told.get(0).getMessage().contains("'enforcing'"), told.get(0).getMessage());
    assertEquals(client.resources(SegmentationMode.class).inNamespace("shop").withName("shop-mode").get()
        .getMetadata().getUid(), told.get(0).getInvolvedObject().getUid(), "kubectl describe finds it by uid");

    // fixed, then misspelt again: told again, once
    segmentationMode("shop", "shop-mode", "enforce");
    controller.drain();
    segmentationMode("shop", "shop-mode", "enforcing");
    eventually(() -> modeWarnings("shop", "SegmentationMode", "shop-mode").size() == 2, "told again");
    assertEquals("enforce", allow("deployment-api").getSpec().mode);
  }

  @Test
  void aModeProblemIsToldOnceAcrossARestartAndASecondControllerAndAgainOnceFixedAndBroken() throws Exception {
    eventually(() -> allow("deployment-api") != null && allow("deployment-web") != null, "allow-lists published");
    segmentationMode("shop", "shop-mode", "enforcing");
    namespaceMode("shop", "enforcng");
    eventually(() -> modeWarnings("shop", "SegmentationMode", "shop-mode").size() == 1
        && modeWarnings("default", "Namespace", "shop").size() == 1, "told");

    // the controller restarts, and a second one starts beside it: each finds both problems again
    controller.close();
    controller = startController();
    PalisadeController second = startController();
    try {
      resolveModesAgainSeveralTimes();
      second.drain();
      eventually(() -> modeWarnings("elsewhere", "SegmentationMode", "namespace").size() == 0
          && modeWarnings("marker", "SegmentationMode", "namespace").size() == 1, "the marker told once by both");
    } finally {
      second.close();
    }
    assertEquals(1, modeWarnings("shop", "SegmentationMode", "shop-mode").size(), "told already: no second Event");
    assertEquals(1, modeWarnings("default", "Namespace", "shop").size(), "told already: no second Event");

    // fixed, then misspelt again: a new problem, told once more
    segmentationMode("shop", "shop-mode", "enforce");
    namespaceMode("shop", "learn");
    controller.drain();
    segmentationMode("shop", "shop-mode", "enforcing");
    namespaceMode("shop", "enforcng");
    eventually(() -> modeWarnings("shop", "SegmentationMode", "shop-mode").size() == 2
        && modeWarnings("default", "Namespace", "shop").size() == 2, "told again");
  }

  /**
   * An annotated Namespace edited while no controller ran (a label here; a Deployment's status
   * moves as often) has a new resourceVersion but the same annotation: the restarted controller
   * tells nothing again. The annotation's version is its managedFields entry's.
   */
  @Test
  void anAnnotationsProblemIsNotToldAgainAfterARestartWhenOnlyTheRestOfItsObjectChanged() throws Exception {
    eventually(() -> allow("deployment-api") != null, "allow-lists published");
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of("palisade.dev/mode", "enforcng"))
        .withManagedFields(managedBy("kubectl-annotate", "2026-12-02T10:00:00Z",
            Map.of("f:annotations", Map.of("f:palisade.dev/mode", Map.of()))))
        .endMetadata().build()).createOr(x -> x.update());
    eventually(() -> modeWarnings("default", "Namespace", "shop").size() == 1, "told");
    controller.close();
    client.namespaces().withName("shop").edit(n -> new NamespaceBuilder(n).editMetadata()
        .addToLabels("team", "payments")
        .addToManagedFields(managedBy("kubectl-label", "2026-12-02T11:00:00Z",
            Map.of("f:labels", Map.of("f:team", Map.of()))))
        .endMetadata().build());
    controller = startController();
    resolveModesAgainSeveralTimes();
    assertEquals(1, modeWarnings("default", "Namespace", "shop").size(), "the same annotation: not told again");

    // the annotation set again (another value, a new managedFields time): told
    client.namespaces().withName("shop").edit(n -> new NamespaceBuilder(n).editMetadata()
        .addToAnnotations("palisade.dev/mode", "enforcee")
        .withManagedFields(managedBy("kubectl-annotate", "2026-12-02T12:00:00Z",
            Map.of("f:annotations", Map.of("f:palisade.dev/mode", Map.of()))), n.getMetadata().getManagedFields().get(1))
        .endMetadata().build());
    eventually(() -> modeWarnings("default", "Namespace", "shop").size() == 2, "the new value told");
  }

  private static io.fabric8.kubernetes.api.model.ManagedFieldsEntry managedBy(String manager, String time,
      Map<String, Object> metadataFields) {
    io.fabric8.kubernetes.api.model.FieldsV1 f = new io.fabric8.kubernetes.api.model.FieldsV1();
    f.setAdditionalProperty("f:metadata", metadataFields);
    return new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update")
        .withApiVersion("v1").withTime(time).withFieldsType("FieldsV1").withFieldsV1(f).build();
  }

  @Test
  void aMisspeltNamespaceAnnotationEnforcesTheNamespaceAndGetsOneWarningEvent() throws Exception {
    eventually(() -> allow("deployment-api") != null && allow("deployment-web") != null, "allow-lists published");
    namespaceMode("shop", "enforcng");
    eventually(() -> "enforce".equals(allow("deployment-api").getSpec().mode)
        && "enforce".equals(allow("deployment-web").getSpec().mode), "fails closed: enforce, never learn");
    resolveModesAgainSeveralTimes();
    // a Namespace is cluster-scoped: its Events live in "default"
    List<Event> told = modeWarnings("default", "Namespace", "shop");
    assertEquals(1, told.size(), "one Event, not one per resolution: " + told);
    assertTrue(told.get(0).getMessage().contains("palisade.dev/mode") && told.get(0).getMessage().contains("'enforcng'"),
        told.get(0).getMessage());
  }
}

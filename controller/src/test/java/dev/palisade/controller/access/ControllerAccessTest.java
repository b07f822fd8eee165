package dev.palisade.controller.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Authenticator;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.api.TokenReviewAuthenticator;
import dev.palisade.controller.netpol.PolicyProblemReporter;
import dev.palisade.controller.service.ControllerLeadership;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.access.AccessRule;
import dev.palisade.model.access.ApiCall;
import dev.palisade.model.access.KubeAccess;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller asks the API server for nothing {@link ControllerAccess} does not grant. One
 * replica runs as {@code palisade controller --leader-election} wires it (Lease, TokenReview
 * authenticator behind the users' tokens) against fabric8's mock API server in CRUD mode, syncs,
 * restores, publishes, takes a flow report, a review approval, a mode set twice (create, then
 * update), a snapshot, an access request approved from the queue and an agent token to review, reports an invalid NetworkPolicy, renews and
 * releases its Lease. Every request it made must be allowed by the declaration, and every rule
 * must be needed by one of them.
 */
class ControllerAccessTest {
  private static final String NS = "palisade-system";
  /** The User-Agent of the controller's client: the test's own writes are not the controller's calls. */
  private static final String UNDER_TEST = "palisade-controller-under-test";
  private static final ControllerLeadership.Timing FAST = new ControllerLeadership.Timing(Duration.ofSeconds(2),
      Duration.ofMillis(1500), Duration.ofMillis(300));

  /** Remembers the controller's requests as the API server's authorizer sees them, then answers as CRUD mode does. */
  static final class Recording extends KubernetesCrudDispatcher {
    final List<ApiCall> calls = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if (UNDER_TEST.equals(request.getHeader("User-Agent"))) {
        calls.add(ApiCall.of(request.getMethod(), request.getPath()));
      }
      return super.dispatch(request);
    }
  }

  private static final Recording API = new Recording();
  private static KubernetesMockServer server;
  private static KubernetesClient client;
  /** What one run of the controller asked for: recorded once, judged by every test. */
  private static List<ApiCall> calls;

  @BeforeAll
  static void runController() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), API, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    seedCluster();
    try (KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withUserAgent(UNDER_TEST).build()).build()) {
      StaticTokens users = new StaticTokens();
      String agent = users.issue(new Principal("node-a", Role.AGENT));
      String approver = users.issue(new Principal("alice", Role.APPROVER));
      String viewer = users.issue(new Principal("dev", Role.VIEWER));
      TokenReviewAuthenticator agents = new TokenReviewAuthenticator(own, NS, "palisade-agent",
          List.of("palisade-controller"), Duration.ofSeconds(30));
      Authenticator auth = token -> users.authenticate(token).or(() -> agents.authenticate(token));
      AtomicReference<PalisadeController> leading = new AtomicReference<>();
      ControllerLeadership leadership = new ControllerLeadership(own, NS, "palisade-controller-0", FAST, () -> {
        PalisadeController c = new PalisadeController(own, auth, Mode.LEARN);
        leading.set(c);
        return c;
      }, c -> c.start("127.0.0.1", 0, Duration.ofSeconds(20)));
      try {
        leadership.start();
        eventually(leadership::ready, "the replica leads and serves");
        PalisadeController c = leading.get();
        long web = idOf("deployment-web");
        long api = idOf("deployment-api");
        post(c, agent, "/v1/flows", "{\"node\":\"node-a\",\"sequence\":1,\"flows\":[{\"src\":" + web + ",\"dst\":"
            + api + ",\"protocol\":\"TCP\",\"port\":9090,\"count\":3,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ","
            + "\"srcPods\":[\"shop/web-1\"],\"dstPods\":[\"shop/api-1\"]}]}", 200);
        post(c, approver, "/v1/review", "{\"status\":\"approved\",\"only\":[{\"from\":\"shop/Deployment/web\","
            + "\"to\":\"shop/Deployment/api\",\"port\":9090,\"protocol\":\"TCP\"}]}", 200);
        post(c, approver, "/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"monitor\"}", 200);
        post(c, approver, "/v1/mode", "{\"namespace\":\"shop\",\"mode\":\"enforce\"}", 200);
        post(c, approver, "/v1/snapshots", "{\"name\":\"before-enforce\"}", 200);
        // an access request filed by a developer, shown as pending, then approved from the queue
        client.resource(accessRequest()).create();
        eventually(() -> phase().equals("Pending"), "the access request's status Pending");
        String decided = post(c, approver, "/v1/requests/decide", "{\"namespace\":\"shop\",\"name\":\"web-api\","
            + "\"decision\":\"approve\",\"edge\":\"shop/Deployment/web -> shop/Deployment/api 9092/TCP\"}", 200);
        assertTrue(decided.endsWith(",\"phase\":\"Approved\"}"), decided); // the phase the page shows next
        eventually(() -> phase().equals("Approved"), "the access request's status Approved");
        HttpResponse<String> why = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + c.port() + "/v1/why?src=10.9.9.9&dst=10.9.9.8&port=443&protocol=TCP"))
            .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, why.statusCode(), why.body());
        assertTrue(why.body().contains("\"verdict\":\"allow\""), why.body());
        // a drop reported twice: an Event created on each end, then its count patched
        String drop = "{\"node\":\"node-a\",\"events\":[{\"kind\":\"enforce\",\"direction\":\"in\",\"src\":" + web
            + ",\"dst\":" + api + ",\"protocol\":\"TCP\",\"port\":9091,\"at\":3000}]}";
        post(c, agent, "/v1/drops", drop, 200);
        post(c, agent, "/v1/drops", drop, 200);
        eventually(() -> API.calls.stream().anyMatch(x -> x.toString().equals("patch core/events in shop")),
            "the drop Event's count patched");
        eventually(() -> API.calls.stream().anyMatch(x -> x.toString().equals("create wgpolicyk8s.io/policyreports in shop")),
            "shop's PolicyReport written");
        // a token the users' list does not know goes to a TokenReview; the mock answers without a user
        post(c, "a-projected-agent-token", "/v1/flows", "{}", 401);
        c.drain();
        eventually(() -> client.v1().events().inNamespace("shop").list().getItems().stream()
            .anyMatch(e -> PolicyProblemReporter.REASON.equals(e.getReason())), "the invalid NetworkPolicy's Event");
        // an org guardrail: its condition (palisade.dev/Enforced) written on it
        eventually(() -> API.calls.stream().anyMatch(x -> x.toString().startsWith(
            "update policy.networking.k8s.io/clusternetworkpolicies/status")), "the cluster policy's condition");
        int seen = API.calls.size();
        // a stream of a CopyOnWriteArrayList reads one snapshot; a subList of it throws once the list grows
        eventually(() -> API.calls.stream().skip(seen)
            .anyMatch(x -> x.toString().equals("patch coordination.k8s.io/leases in " + NS)), "a Lease renewal");
      } finally {
        leadership.close();
      }
    }
    calls = List.copyOf(API.calls);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  private static void seedCluster() {
    // modes are only set for namespaces that exist
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName("shop").endMetadata().build()).createOr(x -> x.update());
    for (String[] d : new String[][] {{"web", "web-5d8f", "web-1"}, {"api", "api-77aa", "api-1"}}) {
      client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(
          new ObjectMetaBuilder().withNamespace("shop").withName(d[1]).withOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion("apps/v1").withKind("Deployment").withName(d[0]).withUid("d-" + d[0])
              .withController(true).build()).build()).build()).create();
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(d[2]).withLabels(Map.of("app", d[0])).withOwnerReferences(
              new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(d[1])
                  .withUid("r-" + d[1]).withController(true).build()).build()).withNewSpec().withNodeName("node-a").endSpec().build()).create();
    }
    NetworkPolicy bad = client.network().v1().networkPolicies().load(new ByteArrayInputStream("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: bad, namespace: shop}
        spec:
          podSelector: {}
          ingress:
          - ports: [{port: 70000}]
        """.getBytes(StandardCharsets.UTF_8))).item();
    client.network().v1().networkPolicies().inNamespace("shop").resource(bad).create();
    // web's second part as parts were named before an upgrade: rewritten under today's names, then deleted
    dev.palisade.model.crd.LearnedFlows oldPart = new dev.palisade.model.crd.LearnedFlows();
    oldPart.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("deployment-web-p2").build());
    oldPart.setSpec(new dev.palisade.model.crd.LearnedFlowsSpec());
    oldPart.getSpec().source = "shop/Deployment/web";
    oldPart.getSpec().edges = List.of();
    client.resource(oldPart).create();
    client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
        .withGroup("policy.networking.k8s.io").withVersion("v1alpha2").withKind("ClusterNetworkPolicy")
        .withPlural("clusternetworkpolicies").withNamespaced(false).build()).resource(client.getKubernetesSerialization().unmarshal("""
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: shop}
            spec:
              tier: Admin
              priority: 10
              subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
              egress:
              - {name: within, action: Accept, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}
            """, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
  }

  private static dev.palisade.model.crd.AccessRequest accessRequest() {
    dev.palisade.model.crd.AccessRequest r = new dev.palisade.model.crd.AccessRequest();
    r.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web-api").build());
    r.setSpec(new dev.palisade.model.crd.AccessRequestSpec());
    r.getSpec().source = "shop/web-1";
    r.getSpec().destination = "shop/api-1";
    r.getSpec().port = 9092;
    r.getSpec().protocol = "TCP";
    r.getSpec().reason = "web calls the new api port";
    return r;
  }

  private static String phase() {
    var r = client.resources(dev.palisade.model.crd.AccessRequest.class).inNamespace("shop").withName("web-api").get();
    return r == null || r.getStatus() == null ? "" : String.valueOf(r.getStatus().phase);
  }

  private static long idOf(String name) throws Exception {
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get() != null,
        "the identity " + name);
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get().getSpec().id;
  }

  /** The answer's body, once its status is {@code status}. */
  private static String post(PalisadeController c, String token, String path, String body, int status)
      throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + c.port() + path)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aRunningControllerUsesOnlyWhatItDeclares() {
    // the recording works: each kind of action above left its request
    for (String expected : List.of("watch core/pods", "list palisade.dev/reviewaudits",
        "create palisade.dev/workloadidentities in shop", "update palisade.dev/allowlists in shop",
        "update palisade.dev/segmentationmodes in shop", "create palisade.dev/graphsnapshots",
        "create authentication.k8s.io/tokenreviews", "create core/events in shop",
        "create coordination.k8s.io/leases in " + NS, "list core/nodes", "patch core/events in shop",
        "create wgpolicyk8s.io/policyreports in shop", "delete palisade.dev/learnedflows in shop")) {
      assertTrue(calls.contains(parse(expected)), expected + " not in " + calls);
    }
    assertEquals(List.of(), ControllerAccess.DECLARED.uncovered(calls),
        "the controller made API calls deploy/base/rbac-controller.yaml would refuse: declare them in "
            + "ControllerAccess, then run scripts/gen-rbac.sh");
  }

  @Test
  void aDeclarationLackingAnyOneRuleIsCaught() {
    for (AccessRule rule : ControllerAccess.DECLARED.rules()) {
      KubeAccess less = ControllerAccess.DECLARED.without(rule);
      assertFalse(less.uncovered(calls).isEmpty(), "nothing the controller did needs " + rule);
    }
  }

  @Test
  void theLeaseIsWrittenOnlyInPalisadesNamespace() {
    ApiCall elsewhere = new ApiCall("update", "coordination.k8s.io", "leases", null, "shop");
    assertFalse(ControllerAccess.DECLARED.permits(elsewhere));
    assertTrue(calls.stream().filter(c -> c.resource().equals("leases")).allMatch(c -> NS.equals(c.namespace())));
  }

  /** "verb group/resource[ in ns]" back into a call, "core" for the core group. */
  private static ApiCall parse(String text) {
    String[] p = text.split(" ");
    String[] gr = p[1].split("/");
    return new ApiCall(p[0], gr[0].equals("core") ? "" : gr[0], gr[1], null, p.length > 3 ? p[3] : null);
  }
}

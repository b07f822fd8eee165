package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.kernel.conntrack.FakeConntrack;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.model.access.AccessRule;
import dev.palisade.model.access.ApiCall;
import dev.palisade.model.access.KubeAccess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent asks the API server for nothing {@link AgentAccess} does not grant: an agent runs
 * against fabric8's mock API server (CRUD mode) until its informers synced and it applied a
 * ruleset, then sees a pod come and a policy change; every request it made must be allowed by the
 * declaration. Without this, a new informer meant an agent whose informers never sync in a real
 * cluster.
 */
class AgentAccessTest {
  private static final String NODE = "node-a";

  /** The User-Agent of the agent's client: the test's own set-up writes are not the agent's calls. */
  private static final String UNDER_TEST = "palisade-agent-under-test";

  /** Remembers the agent's requests as the API server's authorizer sees them, then answers as CRUD mode does. */
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
  /** What one run of the agent asked for: recorded once, judged by every test. */
  private static List<ApiCall> calls;

  /** Syncs, applies, then follows a new pod and a new NetworkPolicy: the calls a running agent makes. */
  @BeforeAll
  static void runAgent() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), API, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    seedCluster();
    try (KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withUserAgent(UNDER_TEST).build()).build();
        NodeAgent agent = new NodeAgent(own, NODE, new FakeNftables(), new FakeConntrack(), report -> { })) {
      agent.start(Duration.ofSeconds(20));
      eventually(() -> agent.converged(0, Set.of("10.1.0.5")), "the first ruleset is applied");
      pod("web-5d8f-bbbbb", "10.1.0.6");
      eventually(() -> agent.converged(0, Set.of("10.1.0.5", "10.1.0.6")), "the new pod is in the ruleset");
      client.network().v1().networkPolicies().inNamespace("shop").resource(new NetworkPolicyBuilder()
          .withNewMetadata().withNamespace("shop").withName("deny-all").endMetadata().withNewSpec()
          .withNewPodSelector().endPodSelector().withPolicyTypes("Ingress").endSpec().build()).create();
      String version = client.network().v1().networkPolicies().inNamespace("shop").withName("deny-all").get()
          .getMetadata().getResourceVersion();
      eventually(() -> agent.enforces("NetworkPolicy", Map.of("shop/deny-all", version)), "the policy is enforced");
    }
    calls = List.copyOf(API.calls);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  private static void seedCluster() {
    for (String ns : List.of("shop", "default", "kube-system", ClusterDefaults.NAMESPACE)) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    client.configMaps().inNamespace(ClusterDefaults.NAMESPACE).resource(new io.fabric8.kubernetes.api.model
        .ConfigMapBuilder().withNewMetadata().withName(ClusterDefaults.CONFIG_MAP).endMetadata()
        .addToData(ClusterDefaults.MODE_KEY, "learn").build()).create();
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().withNewStatus()
        .addNewAddress().withType("InternalIP").withAddress("10.0.0.1").endAddress().endStatus().build()).create();
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("kubernetes")
        .withNamespace("default").endMetadata().withNewSpec().withClusterIP("10.96.0.1").endSpec().build()).create();
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(
        new ObjectMetaBuilder().withNamespace("shop").withName("web-5d8f").withOwnerReferences(
            new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName("web")
                .withUid("d-web").withController(true).build()).build()).build()).create();
    pod("web-5d8f-aaaaa", "10.1.0.5");
    // a malformed list: skipped, and told with a Warning Event (the agent's one kind of write)
    AllowList bad = new AllowList();
    bad.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("bad").build());
    bad.setSpec(new AllowListSpec());
    bad.getSpec().identity = 9;
    bad.getSpec().mode = "enforcing";
    client.resources(AllowList.class).inNamespace("shop").resource(bad).create();
  }

  private static void pod(String name, String ip) {
    Pod p = new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name)
        .withLabels(Map.of("app", "web")).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("ReplicaSet").withName("web-5d8f").withUid("r-web").withController(true).build()).build())
        .withNewSpec().withNodeName(NODE).endSpec().withNewStatus().withPodIP(ip).withPhase("Running").endStatus()
        .build();
    client.pods().inNamespace("shop").resource(p).create();
  }

  private static void eventually(java.util.function.BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aRunningAgentUsesOnlyWhatItDeclares() {
    // the recording works: the informers' lists and watches are there, the failsafe's in their namespaces
    for (String expected : List.of("list core/pods", "watch core/pods", "watch apps/replicasets",
        "watch palisade.dev/allowlists", "watch discovery.k8s.io/endpointslices in kube-system")) {
      assertTrue(calls.stream().anyMatch(c -> c.toString().equals(expected)), expected + " not in " + calls);
    }
    assertEquals(List.of(), AgentAccess.DECLARED.uncovered(calls),
        "the agent made API calls deploy/base/rbac-agent.yaml would refuse: declare them in AgentAccess, then run "
            + "scripts/gen-rbac.sh");
  }

  @Test
  void aDeclarationLackingAnyOneRuleIsCaught() {
    // every rule is needed: without it some call of the run above is refused (so none is granted for nothing)
    for (AccessRule rule : AgentAccess.DECLARED.rules()) {
      KubeAccess less = AgentAccess.DECLARED.without(rule);
      assertFalse(less.uncovered(calls).isEmpty(), "nothing the agent did needs " + rule);
    }
  }

  @Test
  void theAgentWritesNothingButEvents() {
    for (AccessRule rule : AgentAccess.DECLARED.rules()) {
      if (!rule.readOnly()) {
        assertEquals(List.of("events"), rule.resources(), rule.toString());
        assertEquals(List.of("create"), rule.verbs(), rule.toString());
      }
    }
  }

  @Test
  void theDefaultsAreReadableInPalisadesNamespaceOnly() {
    String ns = AgentAccess.DECLARED.namespace();
    assertTrue(AgentAccess.DECLARED.permits(new ApiCall("watch", "", "configmaps", null, ns)));
    assertTrue(AgentAccess.DECLARED.permits(new ApiCall("list", "", "configmaps", null, ns)));
    assertFalse(AgentAccess.DECLARED.permits(new ApiCall("watch", "", "configmaps", null, "shop")));
    assertFalse(AgentAccess.DECLARED.permits(new ApiCall("list", "", "configmaps", null, null)), "not cluster-wide");
    assertFalse(AgentAccess.DECLARED.permits(new ApiCall("get", "", "configmaps", null, ns)), "list and watch only");
  }

  @Test
  void anUndeclaredInformerDoesNotStart() {
    KubeAccess noJobs = AgentAccess.DECLARED.without(AgentAccess.DECLARED.rules().stream()
        .filter(r -> r.resources().contains("jobs")).findFirst().orElseThrow());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> noJobs.requireWatch(io.fabric8.kubernetes.api.model.batch.v1.Job.class, null));
    assertTrue(e.getMessage().contains("list batch/jobs"), e.getMessage());
  }
}

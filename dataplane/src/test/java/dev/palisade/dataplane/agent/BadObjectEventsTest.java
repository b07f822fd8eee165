package dev.palisade.dataplane.agent;

import static dev.palisade.dataplane.agent.AgentObjects.allowList;
import static dev.palisade.dataplane.agent.AgentObjects.identity;
import static dev.palisade.dataplane.agent.AgentObjects.rule;
import static dev.palisade.dataplane.agent.AgentObjects.segmentationMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.model.Mode;
import dev.palisade.model.cnp.ClusterPolicyKind;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.workload.ModeResolver;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad objects of each kind the agent skips, through the agent's own path: objects in a CRUD mock
 * API server, read back as the informers hold them (with uid and generation), then
 * NodeRulesCalculator -> ObjectProblems -> WarningEvents. Two nodes' agents and a restarted one
 * tell each problem once cluster-wide, on the object {@code kubectl describe} shows it for, while
 * the other objects' rules are computed all along; a problem that comes back in a new version of
 * the object is told again.
 */
class BadObjectEventsTest {
  private static final long WEB = 101;
  private static final long DB = 102;
  private static final long ATTACKER = 201;
  private static final String WEB_IP = "10.1.0.1";
  private static final String DB_IP = "10.1.0.2";
  private static final String ATTACKER_IP = "10.1.0.3";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private CrudApi api;
  private KubernetesClient client;

  /** One bad object of a kind the agent reads, made in the API; the object as the API server returned it. */
  enum BadObject {
    POD_WITH_A_MALFORMED_ADDRESS("v1", c -> c.pods().inNamespace("dev").resource(pod("dev", "odd", "10.1.0.999"))
        .create()),
    ALLOW_LIST_WITH_A_NULL_RULE("palisade.dev/v1alpha1", c -> create(c, allowList("shop", "cache", 103, nullRule(), List.of()))),
    ALLOW_LIST_WITH_A_BAD_CIDR("palisade.dev/v1alpha1", c -> {
      AllowListSpec.Rule r = rule(DB, "5432");
      r.peerIdentity = null;
      r.peerCidr = "10.0.0.0/33";
      return create(c, allowList("shop", "cache", 103, List.of(r), List.of()));
    }),
    SEGMENTATION_MODE_WITH_AN_INVALID_MODE("palisade.dev/v1alpha1", c -> create(c, segmentationMode("dev", "dev",
        "enforcing"))),
    NAMESPACE_WITH_AN_INVALID_MODE_ANNOTATION("v1", c -> c.namespaces().resource(new NamespaceBuilder()
        .withNewMetadata().withName("staging").addToAnnotations(ModeResolver.ANNOTATION, "bogus").endMetadata()
        .build()).create()),
    WORKLOAD_IDENTITY_WITHOUT_A_KIND("palisade.dev/v1alpha1", c -> create(c, identity("shop", "broken", null, 104))),
    CLUSTER_NETWORK_POLICY_WITH_A_BAD_CIDR("policy.networking.k8s.io/v1alpha2", c -> createGeneric(c, """
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: guard}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          egress:
          - {action: Deny, to: [{networks: [10.0.0.0/33]}]}
        """)),
    ADMIN_NETWORK_POLICY_WITH_A_PORT_WITHOUT_NUMBER("policy.networking.k8s.io/v1alpha1", c -> createGeneric(c, """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: legacy}
        spec:
          priority: 1
          subject: {namespaces: {}}
          egress:
          - {action: Deny, to: [{networks: [192.0.2.0/24]}], ports: [{portNumber: {protocol: TCP}}]}
        """)),
    BASELINE_ADMIN_NETWORK_POLICY_WITH_A_PRIORITY("policy.networking.k8s.io/v1alpha1", c -> createGeneric(c, """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          priority: 5
          subject: {namespaces: {}}
          egress:
          - {action: Deny, to: [{networks: [192.0.2.0/24]}]}
        """));

    final String apiVersion;
    final Function<KubernetesClient, HasMetadata> create;

    BadObject(String apiVersion, Function<KubernetesClient, HasMetadata> create) {
      this.apiVersion = apiVersion;
      this.create = create;
    }
  }

  /** One node's agent process as far as bad objects go: its calculator, its problems, its Events. */
  private final class Agent {
    private final NodeRulesCalculator calculator;
    final ObjectProblems problems;

    Agent(String node) {
      calculator = new NodeRulesCalculator(node, FailsafeBuilder.Config.OFF);
      problems = new ObjectProblems(node, new WarningEvents(client, node));
    }

    /** One sync as NodeSync runs it, up to the kernel: calculate, then tell the problems. */
    NodeRulesCalculator.Result sync() {
      NodeRulesCalculator.Result r = calculator.calculate(snapshot(), new OwnerVersions(), Map.of(),
          (ip, pod, id) -> { });
      problems.latest(r.problems());
      return r;
    }
  }

  @BeforeEach
  void cluster() {
    api = new CrudApi();
    client = api.client;
    for (String ns : List.of("shop", "dev")) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    create(client, segmentationMode("shop", "shop", "enforce"));
    client.pods().inNamespace("shop").resource(pod("shop", "web", WEB_IP)).create();
    client.pods().inNamespace("shop").resource(pod("shop", "db", DB_IP)).create();
    client.pods().inNamespace("dev").resource(pod("dev", "atk", ATTACKER_IP)).create();
    create(client, identity("shop", "web", "Pod", WEB));
    create(client, identity("shop", "db", "Pod", DB));
    create(client, identity("dev", "atk", "Pod", ATTACKER));
    create(client, allowList("shop", "web", WEB, List.of(), List.of(rule(DB, "5432"))));
    create(client, allowList("shop", "db", DB, List.of(rule(WEB, "5432")), List.of()));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @ParameterizedTest
  @EnumSource(BadObject.class)
  void aBadObjectIsToldOnceClusterWideOnItselfWhileTheOthersRulesHold(BadObject bad) {
    HasMetadata made = bad.create.apply(client);
    Agent node1 = new Agent("node-1");
    Agent node2 = new Agent("node-2");
    for (int i = 0; i < 3; i++) {
      NodeRulesCalculator.Result r = node1.sync();
      assertTrue(r.problems().stream().anyMatch(p -> p.name().equals(made.getMetadata().getName())),
          "the calculator names the bad object: " + r.problems());
      assertOthersRulesHold(r);
      node2.sync();
    }
    new Agent("node-1").sync(); // the agent restarted: a new process, nothing told in it yet

    assertEquals(1, node1.problems.reported(), "node-1's log tells it once over three syncs");
    assertEquals(1, node2.problems.reported(), "node-2's log tells it once over three syncs");
    Event e = onlyEvent(skippedEvents());
    assertInvolves(e, bad.apiVersion, made);
    assertEquals("node-1", e.getSource().getHost(), "the first node to tell it");
    assertFalse(e.getMessage().contains("node-"), "no node's name in the one message: " + e.getMessage());
  }

  @Test
  void aProblemThatComesBackInANewVersionOfItsObjectIsToldAgain() {
    Agent agent = new Agent("node-1");
    AllowList made = create(client, allowList("shop", "cache", 103, nullRule(), List.of()));
    agent.sync();
    agent.sync();
    assertEquals(1, agent.problems.reported());
    assertTrue(onlyEvent(skippedEvents()).getMessage().endsWith(": ingress[0]: null, not a rule"),
        "the field, for the list's author");

    edit(made.getMetadata().getName(), l -> l.getSpec().ingress = List.of(rule(WEB, "6379"))); // fixed
    agent.sync();
    assertEquals(1, agent.problems.reported(), "nothing to tell while it is fine");
    AllowList again = edit(made.getMetadata().getName(), l -> l.getSpec().ingress = nullRule()); // the same bad value
    agent.sync();
    agent.sync();
    assertEquals(2, agent.problems.reported(), "the new version is told again, once");
    assertEquals(2, skippedEvents().size());
    assertTrue(skippedEvents().stream().allMatch(e -> made.getMetadata().getUid().equals(e.getInvolvedObject()
        .getUid())), "both on the one AllowList");

    edit(again.getMetadata().getName(), l -> l.getSpec().mode = "enforcing"); // wrong in another way, not fixed between
    agent.sync();
    assertEquals(3, agent.problems.reported(), "a new message is a new problem");
    assertEquals(3, skippedEvents().size());
  }

  @Test
  void anObjectDeletedAndMadeAgainWithTheSameFaultIsToldAgain() {
    Agent node1 = new Agent("node-1");
    Agent node2 = new Agent("node-2");
    create(client, segmentationMode("dev", "dev", "enforcing"));
    node1.sync();
    node2.sync();
    client.resources(SegmentationMode.class).inNamespace("dev").withName("dev").delete();
    node1.sync();
    node2.sync();
    SegmentationMode again = create(client, segmentationMode("dev", "dev", "enforcing")); // a new uid
    node2.sync();
    node1.sync();
    List<Event> events = skippedEvents();
    assertEquals(2, events.size(), "one Event per object, not per node: " + events);
    assertEquals(1, events.stream().filter(e -> again.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
        .count());
  }

  @Test
  void aLocalPodsMalformedIpv6IsToldWhileItsIpv4AndTheOthersRulesHold() {
    io.fabric8.kubernetes.api.model.Pod odd = client.pods().inNamespace("shop").resource(new PodBuilder(
        pod("shop", "odd", "10.1.0.4")).editStatus().addNewPodIP("10.1.0.4").addNewPodIP("fd00::zz").endStatus()
        .build()).create();
    Agent agent = new Agent("node-1");
    NodeRulesCalculator.Result r = agent.sync(); // threw on the old code: no rules at all for the node
    agent.sync();

    assertOthersRulesHold(r);
    assertFalse(new ConnectionVerdict(r.rules()).allows(WEB_IP, "10.1.0.4", Proto.TCP, 80),
        "the pod's IPv4 is enforced (shop), nothing approved");
    assertEquals(1, agent.problems.reported());
    Event e = onlyEvent(skippedEvents());
    assertInvolves(e, "v1", odd);
    assertTrue(e.getMessage().contains("status.podIPs: bad IPv6 address 'fd00::zz'"), e.getMessage());
  }

  private void assertOthersRulesHold(NodeRulesCalculator.Result r) {
    ConnectionVerdict verdict = new ConnectionVerdict(r.rules());
    assertTrue(verdict.allows(WEB_IP, DB_IP, Proto.TCP, 5432), "the approved edge web -> db");
    assertFalse(verdict.allows(ATTACKER_IP, DB_IP, Proto.TCP, 5432), "db is enforced");
    assertFalse(verdict.allows(WEB_IP, ATTACKER_IP, Proto.TCP, 5432), "web's egress is enforced");
  }

  private static void assertInvolves(Event e, String apiVersion, HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    assertEquals(ns == null ? "default" : ns, e.getMetadata().getNamespace(), "an Event lives in its object's"
        + " namespace, a cluster-scoped object's in default");
    var involved = e.getInvolvedObject();
    assertEquals(apiVersion, involved.getApiVersion());
    assertEquals(o.getKind(), involved.getKind());
    assertEquals(ns, involved.getNamespace());
    assertEquals(o.getMetadata().getName(), involved.getName());
    // kubectl describe finds an object's Events by uid too: without it they are not shown
    assertNotNull(o.getMetadata().getUid());
    assertEquals(o.getMetadata().getUid(), involved.getUid());
    assertEquals("Warning", e.getType());
    assertEquals(WarningEvents.REASON, e.getReason());
  }

  private static Event onlyEvent(List<Event> events) {
    assertEquals(1, events.size(), "one Event for the one problem: " + events);
    return events.get(0);
  }

  private List<Event> skippedEvents() {
    return client.v1().events().inAnyNamespace().list().getItems().stream()
        .filter(e -> WarningEvents.REASON.equals(e.getReason())).toList();
  }

  /** The cluster as the agent's informers hold it. */
  private ClusterSnapshot snapshot() {
    List<GenericKubernetesResource> clusterPolicies = new ArrayList<>();
    ClusterPolicyKind.ALL.forEach(k -> clusterPolicies.addAll(client.genericKubernetesResources(k.context()).list()
        .getItems()));
    return new ClusterSnapshot(client.pods().inAnyNamespace().list().getItems(), (ns, kind, name) -> Optional.empty(),
        client.resources(WorkloadIdentity.class).inAnyNamespace().list().getItems(),
        client.resources(AllowList.class).inAnyNamespace().list().getItems(), List.of(),
        client.resources(SegmentationMode.class).inAnyNamespace().list().getItems(),
        client.namespaces().list().getItems(), List.of(), List.of(), List.of(), Mode.LEARN, clusterPolicies);
  }

  private AllowList edit(String name, java.util.function.Consumer<AllowList> change) {
    return client.resources(AllowList.class).inNamespace("shop").withName(name).edit(l -> {
      change.accept(l);
      return l;
    });
  }

  private static <T extends HasMetadata> T create(KubernetesClient c, T o) {
    return c.resource(o).create();
  }

  private static GenericKubernetesResource createGeneric(KubernetesClient c, String yaml) {
    GenericKubernetesResource o = YAML.unmarshal(yaml, GenericKubernetesResource.class);
    return c.genericKubernetesResources(ClusterPolicyKind.named(o.getKind()).orElseThrow().context()).resource(o)
        .create();
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String ns, String name, String ip) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
        .withNodeName("node-1").endSpec().withNewStatus().withPodIP(ip).withPhase("Running").endStatus().build();
  }

  private static List<AllowListSpec.Rule> nullRule() {
    return Arrays.asList((AllowListSpec.Rule) null);
  }
}

package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.WatchEventsOnLoop;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The controllers against fabric8's mock API server in CRUD mode, one fresh server per test. */
class WorkloadControllersTest {
  private static final String NS = "shop";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private KubernetesMockServer server;
  private KubernetesClient client;
  private FakePodRuntime runtime;
  private WorkloadControllers controllers;

  @BeforeAll
  static void quietMockServer() {
    // MockWebServer logs every request at INFO through java.util.logging.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        WatchEventsOnLoop.wrap(new KubernetesCrudDispatcher()), false);
    server.init();
    client = server.createClient();
    runtime = new FakePodRuntime();
    controllers = new WorkloadControllers(client, runtime, 3);
    controllers.start();
  }

  @AfterEach
  void stop() {
    controllers.close();
    server.destroy();
    client.close();
  }

  private static PodTemplateSpec template(String app, String version) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(Map.of("app", app)).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("palisade/echo")
        .addNewEnv().withName("VERSION").withValue(version).endEnv()
        .addNewPort().withName("http").withContainerPort(8080).endPort()
        .addNewPort().withName("dns").withContainerPort(5353).withProtocol("UDP").endPort()
        .endContainer().endSpec().build();
  }

  private Deployment deploy(String name, int replicas) {
    return client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withTemplate(template(name, "1")).endSpec().build()).create();
  }

  private List<Pod> pods() {
    return client.pods().inNamespace(NS).list().getItems();
  }

  private List<ReplicaSet> replicaSets() {
    return client.apps().replicaSets().inNamespace(NS).list().getItems();
  }

  private static OwnerReference controller(Pod pod) {
    return KubeObjects.controllerOf(pod).orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " has no controller"));
  }

  private void scale(String deployment, int replicas) {
    client.apps().deployments().inNamespace(NS).withName(deployment).edit(d -> {
      d.getSpec().setReplicas(replicas);
      return d;
    });
    controllers.awaitIdle(SETTLE);
  }

  @Test
  void nodesAreRegisteredReady() {
    assertEquals(List.of("lab-node-0", "lab-node-1", "lab-node-2"),
        client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).sorted().toList());
    client.nodes().list().getItems().forEach(n -> assertTrue(n.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())), n.getMetadata().getName()));
  }

  @Test
  void deploymentRunsThroughAReplicaSetNamedByItsTemplateHash() {
    Deployment d = deploy("web", 3);
    controllers.awaitIdle(SETTLE);

    List<ReplicaSet> sets = replicaSets();
    assertEquals(1, sets.size());
    ReplicaSet rs = sets.get(0);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    assertEquals(PodTemplateHash.of(d.getSpec().getTemplate()), hash);
    assertEquals("web-" + hash, rs.getMetadata().getName());
    assertEquals(hash, rs.getSpec().getSelector().getMatchLabels().get("pod-template-hash"));
    OwnerReference owner = rs.getMetadata().getOwnerReferences().get(0);
    assertEquals(d.getMetadata().getUid(), owner.getUid());
    assertTrue(owner.getController());
    assertTrue(owner.getBlockOwnerDeletion());

    List<Pod> pods = pods();
    assertEquals(3, pods.size());
    for (Pod pod : pods) {
      assertTrue(pod.getMetadata().getName().matches("web-" + hash + "-[a-z0-9]{5}"), pod.getMetadata().getName());
      assertEquals(hash, pod.getMetadata().getLabels().get("pod-template-hash"));
      assertEquals("web", pod.getMetadata().getLabels().get("app"));
      assertEquals(rs.getMetadata().getUid(), controller(pod).getUid());
      assertEquals("Running", pod.getStatus().getPhase());
      assertTrue(KubeObjects.ready(pod));
      int node = KubeObjects.nodeIndex(pod.getSpec().getNodeName(), 3);
      assertTrue(pod.getStatus().getPodIP().startsWith("10.244." + node + "."), pod.getStatus().getPodIP());
      assertEquals("10.243." + node + ".2", pod.getStatus().getHostIP());
      assertTrue(runtime.isRunning(pod.getMetadata().getUid()));
    }
    // fewest pods first: one per node
    assertEquals(Set.of("lab-node-0", "lab-node-1", "lab-node-2"),
        pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet()));
    assertEquals(List.of(new PodRuntime.Port(8080, "TCP"), new PodRuntime.Port(5353, "UDP")), runtime.starts.get(0).ports());

    Deployment status = client.apps().deployments().inNamespace(NS).withName("web").get();
    assertEquals(3, status.getStatus().getReplicas());
    assertEquals(3, status.getStatus().getReadyReplicas());
    assertEquals(3, status.getStatus().getAvailableReplicas());
    assertEquals(3, status.getStatus().getUpdatedReplicas());
  }

  @Test
  void scalingUpAndDownChangesThePods() {
    deploy("web", 3);
    controllers.awaitIdle(SETTLE);

    scale("web", 5);
    assertEquals(5, pods().size());
    assertEquals(5, replicaSets().get(0).getSpec().getReplicas());
    assertEquals(5, runtime.runningCount());

    scale("web", 1);
    assertEquals(1, pods().size());
    assertEquals(4, runtime.stopsSnapshot().size());
    assertEquals(1, runtime.runningCount());
    assertEquals(1, client.apps().deployments().inNamespace(NS).withName("web").get().getStatus().getReadyReplicas());
  }

  @Test
  void rolloutReplacesEveryPodWithOnesOfTheNewTemplate() {
    deploy("web", 3);
    controllers.awaitIdle(SETTLE);
    String oldHash = replicaSets().get(0).getMetadata().getLabels().get("pod-template-hash");

    client.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).setValue("2");
      return d;
    });
    controllers.awaitIdle(SETTLE);

    List<ReplicaSet> sets = replicaSets();
    assertEquals(2, sets.size());
    ReplicaSet current = sets.stream().filter(rs -> !oldHash.equals(rs.getMetadata().getLabels().get("pod-template-hash")))
        .findFirst().orElseThrow();
    ReplicaSet old = sets.stream().filter(rs -> oldHash.equals(rs.getMetadata().getLabels().get("pod-template-hash")))
        .findFirst().orElseThrow();
    String newHash = current.getMetadata().getLabels().get("pod-template-hash");
    assertNotEquals(oldHash, newHash);
    assertEquals(0, old.getSpec().getReplicas());
    assertEquals(3, current.getSpec().getReplicas());
    assertEquals("2", current.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
    List<Pod> pods = pods();
    assertEquals(3, pods.size());
    pods.forEach(p -> assertEquals(newHash, p.getMetadata().getLabels().get("pod-template-hash")));
    assertEquals(3, runtime.stopsSnapshot().size());
    assertEquals(3, runtime.runningCount());
  }

  @Test
  void statefulSetPodsHaveStableNamesAndScaleDownFromTheTop() {
    client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
        .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(3).withServiceName("web").withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector()
        .withTemplate(template("db", "1")).endSpec().build()).create();
    controllers.awaitIdle(SETTLE);

    List<Pod> pods = pods();
    assertEquals(List.of("web-0", "web-1", "web-2"), pods.stream().map(p -> p.getMetadata().getName()).sorted().toList());
    pods.forEach(p -> {
      assertEquals(p.getMetadata().getName(), p.getMetadata().getLabels().get("statefulset.kubernetes.io/pod-name"));
      assertEquals("Running", p.getStatus().getPhase());
    });

    client.apps().statefulSets().inNamespace(NS).withName("web").edit(s -> {
      s.getSpec().setReplicas(1);
      return s;
    });
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of("web-0"), pods().stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals(1, client.apps().statefulSets().inNamespace(NS).withName("web").get().getStatus().getReadyReplicas());
  }

  @Test
  void daemonSetRunsOnePodOnEachNode() {
    client.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder()
        .withNewMetadata().withName("agent").withNamespace(NS).endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
        .withTemplate(template("agent", "1")).endSpec().build()).create();
    controllers.awaitIdle(SETTLE);

    List<Pod> pods = pods();
    assertEquals(3, pods.size());
    assertEquals(Set.of("lab-node-0", "lab-node-1", "lab-node-2"),
        pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet()));
    pods.forEach(p -> {
      assertTrue(p.getMetadata().getName().matches("agent-[a-z0-9]{5}"), p.getMetadata().getName());
      assertNotNull(p.getMetadata().getLabels().get("controller-revision-hash"));
      int node = KubeObjects.nodeIndex(p.getSpec().getNodeName(), 3);
      assertTrue(p.getStatus().getPodIP().startsWith("10.244." + node + "."));
    });
    assertEquals(3, client.apps().daemonSets().inNamespace(NS).withName("agent").get().getStatus().getNumberReady());

    client.apps().daemonSets().inNamespace(NS).withName("agent").delete();
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of(), pods());
    assertEquals(3, runtime.stopsSnapshot().size());
  }

  @Test
  void deletingANamespaceDeletesWhatRanInIt() {
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    deploy("web", 2);
    client.pods().inNamespace(NS).resource(bare("solo", null)).create();
    controllers.awaitIdle(SETTLE);
    assertEquals(3, runtime.runningCount());

    client.namespaces().withName(NS).delete();
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of(), pods());
    assertEquals(List.of(), client.apps().deployments().inNamespace(NS).list().getItems());
    assertEquals(0, runtime.runningCount());
  }

  @Test
  void jobRunsParallelismPods() {
    client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder()
        .withNewMetadata().withName("load").withNamespace(NS).endMetadata()
        .withNewSpec().withParallelism(2).withCompletions(5).withTemplate(template("load", "1")).endSpec().build()).create();
    controllers.awaitIdle(SETTLE);

    List<Pod> pods = pods();
    assertEquals(2, pods.size());
    pods.forEach(p -> {
      assertTrue(p.getMetadata().getName().matches("load-[a-z0-9]{5}"), p.getMetadata().getName());
      assertEquals("load", p.getMetadata().getLabels().get("job-name"));
      assertEquals("load", p.getMetadata().getLabels().get("batch.kubernetes.io/job-name"));
      assertEquals("Running", p.getStatus().getPhase());
    });
    assertEquals(2, client.batch().v1().jobs().inNamespace(NS).withName("load").get().getStatus().getActive());
  }

  @Test
  void deletingTheDeploymentDeletesItsReplicaSetsAndStopsItsPods() {
    deploy("web", 3);
    controllers.awaitIdle(SETTLE);
    Set<String> uids = pods().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());

    client.apps().deployments().inNamespace(NS).withName("web").delete();
    controllers.awaitIdle(SETTLE);

    assertEquals(List.of(), replicaSets());
    assertEquals(List.of(), pods());
    assertEquals(uids, Set.copyOf(runtime.stopsSnapshot()));
    assertEquals(0, runtime.runningCount());
  }

  @Test
  void endpointSliceListsReadyPodsWithTheResolvedTargetPort() {
    deploy("web", 2);
    Service svc = client.services().inNamespace(NS).resource(new ServiceBuilder()
        .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
        .withNewSpec().withSelector(Map.of("app", "web"))
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
        .addNewPort().withName("metrics").withPort(9090).endPort()
        .endSpec().build()).create();
    controllers.awaitIdle(SETTLE);

    String clusterIp = client.services().inNamespace(NS).withName("web").get().getSpec().getClusterIP();
    assertTrue(clusterIp.startsWith("10.96."), clusterIp);
    List<EndpointSlice> slices = client.discovery().v1().endpointSlices().inNamespace(NS).list().getItems();
    assertEquals(1, slices.size());
    EndpointSlice slice = slices.get(0);
    assertTrue(slice.getMetadata().getName().startsWith("web-"));
    assertEquals("web", slice.getMetadata().getLabels().get("kubernetes.io/service-name"));
    assertEquals("IPv4", slice.getAddressType());
    assertEquals(svc.getMetadata().getName(), slice.getMetadata().getOwnerReferences().get(0).getName());
    Map<String, Integer> ports = slice.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getPort()));
    assertEquals(Map.of("http", 8080, "metrics", 9090), ports);
    Map<String, Pod> podsByIp = pods().stream().collect(Collectors.toMap(p -> p.getStatus().getPodIP(), p -> p));
    assertEquals(podsByIp.keySet(), slice.getEndpoints().stream().map(e -> e.getAddresses().get(0)).collect(Collectors.toSet()));
    for (Endpoint e : slice.getEndpoints()) {
      Pod pod = podsByIp.get(e.getAddresses().get(0));
      assertTrue(e.getConditions().getReady());
      assertEquals(pod.getMetadata().getName(), e.getTargetRef().getName());
      assertEquals(pod.getMetadata().getUid(), e.getTargetRef().getUid());
      assertEquals(pod.getSpec().getNodeName(), e.getNodeName());
    }

    scale("web", 4);
    slice = client.discovery().v1().endpointSlices().inNamespace(NS).list().getItems().get(0);
    assertEquals(4, slice.getEndpoints().size());

    client.services().inNamespace(NS).withName("web").delete();
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of(), client.discovery().v1().endpointSlices().inNamespace(NS).list().getItems());
  }

  @Test
  void barePodsAreScheduledAndAFreedIpIsReused() {
    Pod a = client.pods().inNamespace(NS).resource(bare("a", "lab-node-1")).create();
    controllers.awaitIdle(SETTLE);
    String ip = client.pods().inNamespace(NS).withName("a").get().getStatus().getPodIP();
    assertEquals("10.244.1.2", ip);

    client.pods().inNamespace(NS).withName("a").delete();
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of(a.getMetadata().getUid()), runtime.stopsSnapshot());

    client.pods().inNamespace(NS).resource(bare("b", "lab-node-1")).create();
    client.pods().inNamespace(NS).resource(bare("c", null)).create();
    controllers.awaitIdle(SETTLE);
    assertEquals(ip, client.pods().inNamespace(NS).withName("b").get().getStatus().getPodIP());
    Pod c = client.pods().inNamespace(NS).withName("c").get();
    assertNotNull(c.getSpec().getNodeName());
    assertNotEquals("lab-node-1", c.getSpec().getNodeName()); // the emptier node
    assertEquals("Running", c.getStatus().getPhase());
  }

  @Test
  void awaitIdleFailsNamingThePodsThatCannotRun() {
    client.pods().inNamespace(NS).resource(bare("lost", "no-such-node")).create();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> controllers.awaitIdle(Duration.ofSeconds(2)));
    assertTrue(e.getMessage().contains(NS + "/lost"), e.getMessage());
    assertFalse(runtime.isRunning(client.pods().inNamespace(NS).withName("lost").get().getMetadata().getUid()));
  }

  @Test
  void rollbackReusesTheReplicaSetOfTheOldTemplate() {
    deploy("web", 2);
    controllers.awaitIdle(SETTLE);
    String first = replicaSets().get(0).getMetadata().getName();
    setVersion("2");
    setVersion("1");

    List<ReplicaSet> sets = replicaSets();
    assertEquals(2, sets.size());
    ReplicaSet original = sets.stream().filter(rs -> rs.getMetadata().getName().equals(first)).findFirst().orElseThrow();
    assertEquals(2, original.getSpec().getReplicas());
    assertEquals("3", original.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
    pods().forEach(p -> assertEquals(original.getMetadata().getUid(), controller(p).getUid()));
  }

  private void setVersion(String version) {
    client.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).setValue(version);
      return d;
    });
    controllers.awaitIdle(SETTLE);
  }

  @Test
  void statefulSetTemplateChangeRestartsItsPodsUnderTheSameNames() {
    client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
        .withNewMetadata().withName("db").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(2).withServiceName("db").withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector()
        .withTemplate(template("db", "1")).endSpec().build()).create();
    controllers.awaitIdle(SETTLE);
    Set<String> before = pods().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());

    client.apps().statefulSets().inNamespace(NS).withName("db").edit(s -> {
      s.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).setValue("2");
      return s;
    });
    controllers.awaitIdle(SETTLE);

    List<Pod> pods = pods();
    assertEquals(List.of("db-0", "db-1"), pods.stream().map(p -> p.getMetadata().getName()).sorted().toList());
    pods.forEach(p -> assertFalse(before.contains(p.getMetadata().getUid()), "pod was not replaced"));
    assertEquals(before, Set.copyOf(runtime.stopsSnapshot()));
    assertEquals(2, runtime.runningCount());
  }

  @Test
  void aNamedTargetPortAPodDoesNotDeclareIsLeftOutOfItsSlice() {
    client.pods().inNamespace(NS).resource(bare("plain", null)).create();
    client.services().inNamespace(NS).resource(new ServiceBuilder()
        .withNewMetadata().withName("plain").withNamespace(NS).endMetadata()
        .withNewSpec().withSelector(Map.of("app", "plain"))
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
        .addNewPort().withName("raw").withPort(81).withTargetPort(new IntOrString(80)).endPort()
        .endSpec().build()).create();
    controllers.awaitIdle(SETTLE);

    EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace(NS).list().getItems().get(0);
    assertEquals(List.of("raw"), slice.getPorts().stream().map(p -> p.getName()).toList());
    assertEquals(80, slice.getPorts().get(0).getPort());
    assertEquals(1, slice.getEndpoints().size());
  }

  @Test
  void namespacesLeftAloneAreNeitherRunNorCollectedNorWaitedFor() {
    controllers.leaveAlone("remote");
    // a pod of another machine's node, owned by a ReplicaSet the API server does not hold
    Pod orphan = new PodBuilder().withNewMetadata().withName("w-1").withNamespace("remote").addNewOwnerReference()
        .withApiVersion("apps/v1").withKind("ReplicaSet").withName("w-abc").withUid("no-such-uid").withController(true)
        .endOwnerReference().endMetadata().withNewSpec().addNewContainer().withName("app").withImage("x").endContainer()
        .endSpec().build();
    client.pods().inNamespace("remote").resource(orphan).create();
    deploy("web", 1); // the lab's own namespace still runs
    controllers.awaitIdle(SETTLE);
    Pod still = client.pods().inNamespace("remote").withName("w-1").get();
    assertNotNull(still, "the orphan of a namespace left alone was garbage-collected");
    assertNull(still.getSpec().getNodeName(), "a pod of a namespace left alone was scheduled");
    assertEquals(1, pods().size());
    assertEquals("Running", pods().get(0).getStatus().getPhase());
  }

  private static Pod bare(String name, String node) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("palisade/echo")
        .addNewPort().withContainerPort(80).endPort().endContainer().endSpec().build();
  }
}

package dev.palisade.lab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.kube.LabApiServer;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/ as a cluster would get it: each variant rendered, every object applied to the lab's API
 * server as its Kubernetes type and read back, and the properties the design depends on checked.
 * Needs no kubectl; one optional test compares the renderer with {@code kubectl kustomize}.
 */
class DeployManifestsTest {
  /** Maven runs tests in the module directory; deploy/ is beside it. */
  private static final Path DEPLOY = Path.of("../deploy").toAbsolutePath().normalize();
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  private static final String NS = "palisade-system";
  private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

  @TempDir
  Path dir;
  private LabApiServer api;
  private KubernetesClient client;

  @BeforeAll
  static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @BeforeEach
  void start() {
    api = LabApiServer.start();
    client = api.client();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  /** Renders the variant and creates every object through the typed client, as kubectl apply -k would. */
  private List<Manifest> install(String variant) {
    List<Manifest> manifests = KustomizeRenderer.render(DEPLOY.resolve(variant));
    for (Manifest m : manifests) {
      HasMetadata typed = m.typed();
      client.resource(typed).create();
      assertNotNull(client.resource(typed).get(), () -> m.id() + " not stored");
    }
    return manifests;
  }

  private Deployment controller() {
    Deployment d = client.apps().deployments().inNamespace(NS).withName("palisade-controller").get();
    assertNotNull(d, "controller Deployment");
    return d;
  }

  private static Container only(PodSpec spec) {
    assertEquals(1, spec.getContainers().size(), "one container");
    return spec.getContainers().get(0);
  }

  private static List<String> modeArgs(Deployment d) {
    return only(d.getSpec().getTemplate().getSpec()).getArgs().stream().filter(a -> a.startsWith("--default-mode"))
        .toList();
  }

  @Test
  void stagingLearnsAndProductionEnforces() {
    install("overlays/staging");
    assertEquals(List.of("--default-mode=learn"), modeArgs(controller()));
    stop();
    start();
    install("overlays/production");
    assertEquals(List.of("--default-mode=enforce"), modeArgs(controller()));
    // and only RBAC-guarded SegmentationModes and namespaces set modes, not any Deployment editor
    assertTrue(controller().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()
        .contains("--workload-mode-annotations=ignore"));
  }

  @Test
  void controllerRunsTwoReplicasWithLeaderElectionAndProbes() {
    install("overlays/production");
    Deployment d = controller();
    assertEquals(2, d.getSpec().getReplicas());
    Container c = only(d.getSpec().getTemplate().getSpec());
    assertEquals("controller", c.getArgs().get(0));
    assertTrue(c.getArgs().contains("--leader-election"), c.getArgs().toString());
    // leader election names the Lease holder after the pod and looks for the Lease in its namespace
    Map<String, String> fieldRefs = new HashMap<>();
    c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
        .forEach(e -> fieldRefs.put(e.getName(), e.getValueFrom().getFieldRef().getFieldPath()));
    assertEquals(Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"), fieldRefs);
    assertEquals("/healthz/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/healthz/live", c.getLivenessProbe().getHttpGet().getPath());
    String probePort = c.getReadinessProbe().getHttpGet().getPort().getStrVal();
    assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals(probePort) && p.getContainerPort() == 8443),
        "probes use the API port the controller listens on (--listen=0.0.0.0:8443)");
    assertTrue(c.getArgs().contains("--listen=0.0.0.0:8443"), c.getArgs().toString());
    assertEquals(Boolean.TRUE, d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
  }

  @Test
  void agentRunsOnEveryNodeWithOnlyNetAdmin() {
    install("overlays/production");
    DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName("palisade-agent").get();
    assertNotNull(ds, "agent DaemonSet");
    PodSpec spec = ds.getSpec().getTemplate().getSpec();
    assertEquals(Boolean.TRUE, spec.getHostNetwork(), "the agent programs the node's own network namespace");
    assertEquals("palisade-agent", spec.getServiceAccountName());
    // an operator Exists toleration without key or effect tolerates every taint: no node is left unprotected
    List<Toleration> all = spec.getTolerations().stream()
        .filter(t -> "Exists".equals(t.getOperator()) && t.getKey() == null && t.getEffect() == null).toList();
    assertEquals(1, all.size(), spec.getTolerations().toString());
    Container agent = only(spec);
    assertEquals("agent", agent.getArgs().get(0));
    var sc = agent.getSecurityContext();
    assertEquals(List.of("NET_ADMIN"), sc.getCapabilities().getAdd());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertEquals(Boolean.FALSE, sc.getPrivileged());
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    Map<String, Quantity> requests = agent.getResources().getRequests();
    Map<String, Quantity> limits = agent.getResources().getLimits();
    assertNotNull(requests.get("cpu"), "cpu request");
    assertNotNull(requests.get("memory"), "memory request");
    assertNotNull(limits.get("memory"), "memory limit");
    assertTrue(Quantity.getAmountInBytes(limits.get("memory")).compareTo(Quantity.getAmountInBytes(requests.get("memory")))
        >= 0, "memory limit below request");
    assertTrue(agent.getEnv().stream().anyMatch(e -> e.getName().equals("NODE_NAME")
        && e.getValueFrom().getFieldRef().getFieldPath().equals("spec.nodeName")), "NODE_NAME from the downward API");
  }

  @Test
  void theAgentsPodInstallsTheCniPluginIntoTheNodesCniBinWithNoCapability() throws IOException {
    install("overlays/production");
    PodSpec spec = client.apps().daemonSets().inNamespace(NS).withName("palisade-agent").get().getSpec().getTemplate()
        .getSpec();
    assertEquals(1, spec.getInitContainers().size(), "one init container");
    Container install = spec.getInitContainers().get(0);
    assertEquals(only(spec).getImage(), install.getImage(), "the plugin comes from the agent's own image");
    String command = String.join(" ", install.getCommand());
    // copied beside and renamed: a runtime starting a pod meanwhile never runs half a binary
    assertTrue(command.contains("cp /opt/palisade/cni/palisade-cni /host/opt/cni/bin/.palisade-cni.new")
        && command.contains("mv -f /host/opt/cni/bin/.palisade-cni.new /host/opt/cni/bin/palisade-cni"), command);
    String image = Files.readString(DEPLOY.resolve("images/Dockerfile.agent"));
    assertTrue(image.contains("COPY --from=cni /out/palisade-cni /opt/palisade/cni/palisade-cni\n"),
        "Dockerfile.agent puts the plugin where install-cni copies it from");
    var sc = install.getSecurityContext();
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), sc.toString());
    assertEquals(Boolean.FALSE, sc.getPrivileged());
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    String volume = install.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/host/opt/cni/bin"))
        .findFirst().orElseThrow().getName();
    assertEquals("/opt/cni/bin", spec.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst()
        .orElseThrow().getHostPath().getPath());
  }

  @Test
  void agentsReadAndWriteOnlyEvents() {
    install("overlays/production");
    String agentSa = "system:serviceaccount:" + NS + ":palisade-agent";
    List<PolicyRule> granted = new ArrayList<>();
    int bindings = 0;
    for (ClusterRoleBinding b : client.rbac().clusterRoleBindings().list().getItems()) {
      if (binds(b.getSubjects(), agentSa)) {
        bindings++;
        ClusterRole r = client.rbac().clusterRoles().withName(b.getRoleRef().getName()).get();
        assertNotNull(r, "ClusterRole " + b.getRoleRef().getName());
        granted.addAll(r.getRules());
      }
    }
    for (RoleBinding b : client.rbac().roleBindings().inAnyNamespace().list().getItems()) {
      if (binds(b.getSubjects(), agentSa)) {
        bindings++;
        if (b.getRoleRef().getKind().equals("ClusterRole")) {
          granted.addAll(client.rbac().clusterRoles().withName(b.getRoleRef().getName()).get().getRules());
        } else {
          granted.addAll(client.rbac().roles().inNamespace(b.getMetadata().getNamespace())
              .withName(b.getRoleRef().getName()).get().getRules());
        }
      }
    }
    assertTrue(bindings > 0, "the agent's ServiceAccount is bound to something");
    assertFalse(granted.isEmpty());
    for (PolicyRule rule : granted) {
      // its one write: a Warning Event on an object it skips as malformed
      boolean events = rule.getResources().equals(List.of("events")) && rule.getVerbs().equals(List.of("create"));
      assertTrue(events || READ_VERBS.containsAll(rule.getVerbs()), "agent may write: " + rule);
      assertFalse(rule.getResources().contains("*") || rule.getResources().contains("secrets"), "agent reads " + rule);
    }
    assertTrue(client.serviceAccounts().inNamespace(NS).withName("palisade-agent").get() != null);
  }

  private static boolean binds(List<Subject> subjects, String serviceAccountUser) {
    return subjects != null && subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
        && serviceAccountUser.equals("system:serviceaccount:" + s.getNamespace() + ":" + s.getName()));
  }

  @Test
  void controllerMayReviewTokensAndHoldItsLease() {
    install("overlays/staging");
    ClusterRole cr = client.rbac().clusterRoles().withName("palisade-controller").get();
    assertTrue(allows(cr.getRules(), "authentication.k8s.io", "tokenreviews", "create"), "TokenReview for agents");
    for (String kind : List.of("workloadidentities", "allowlists", "learnedflows")) {
      assertTrue(allows(cr.getRules(), "palisade.dev", kind, "create") && allows(cr.getRules(), "palisade.dev", kind,
          "update"), "controller writes " + kind);
    }
    Role leader = client.rbac().roles().inNamespace(NS).withName("palisade-controller-leader").get();
    // fabric8's LeaseLock reads, creates and patches the Lease (ControllerAccessTest records it)
    for (String verb : List.of("get", "create", "patch")) {
      assertTrue(allows(leader.getRules(), "coordination.k8s.io", "leases", verb), "leases " + verb);
    }
    RoleBinding rb = client.rbac().roleBindings().inNamespace(NS).withName("palisade-controller-leader").get();
    assertTrue(binds(rb.getSubjects(), "system:serviceaccount:" + NS + ":palisade-controller"));
  }

  private static boolean allows(List<PolicyRule> rules, String group, String resource, String verb) {
    return rules.stream().anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource)
        && r.getVerbs().contains(verb));
  }

  @Test
  void everyCustomResourceTheControllerWritesHasADefinition() {
    install("base");
    for (Class<? extends HasMetadata> type : List.of(WorkloadIdentity.class, LearnedFlows.class, AllowList.class,
        SegmentationMode.class, dev.palisade.model.crd.AccessRequest.class)) {
      String name = HasMetadata.getFullResourceName(type);
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
      assertNotNull(crd, "CRD " + name);
      assertEquals(HasMetadata.getKind(type), crd.getSpec().getNames().getKind());
      assertTrue(crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals(HasMetadata.getVersion(type))
          && v.getServed()), name + " serves " + HasMetadata.getVersion(type));
    }
    // a third-party kind it writes: the Policy WG's PolicyReport (deploy/crds/third-party)
    CustomResourceDefinition polr = client.apiextensions().v1().customResourceDefinitions()
        .withName("policyreports.wgpolicyk8s.io").get();
    assertNotNull(polr, "CRD policyreports.wgpolicyk8s.io");
    assertEquals("Namespaced", polr.getSpec().getScope());
    assertTrue(polr.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals("v1alpha2") && v.getServed()));
    assertNotNull(client.namespaces().withName(NS).get());
  }

  // ---- broken inputs: the error names the file ----

  private Path copyOfDeploy() throws IOException {
    Path copy = dir.resolve("deploy");
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      for (Path f : files.toList()) {
        Path to = copy.resolve(DEPLOY.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    return copy;
  }

  private static void edit(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertTrue(text.contains(from), file + " lacks " + from);
    Files.writeString(file, text.replace(from, to));
  }

  @Test
  void aFieldOfTheWrongTypeNamesItsFile() throws IOException {
    Path copy = copyOfDeploy();
    Path controllerYaml = copy.resolve("base/controller.yaml");
    edit(controllerYaml, "replicas: 2 ", "replicas: two ");
    List<Manifest> rendered = KustomizeRenderer.render(copy.resolve("overlays/staging"));
    Manifest deployment = rendered.stream().filter(m -> m.kind().equals("Deployment")).findFirst().orElseThrow();
    KustomizeException e = assertThrows(KustomizeException.class, deployment::typed);
    assertTrue(e.getMessage().startsWith(controllerYaml.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("replicas"), e.getMessage());
  }

  @Test
  void aMissingResourceNamesTheKustomization() throws IOException {
    Path copy = copyOfDeploy();
    Files.delete(copy.resolve("base/agent.yaml"));
    KustomizeException e = assertThrows(KustomizeException.class,
        () -> KustomizeRenderer.render(copy.resolve("overlays/production")));
    assertTrue(e.getMessage().startsWith(copy.resolve("base/kustomization.yaml").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("agent.yaml"), e.getMessage());
  }

  @Test
  void aPatchThatMatchesNothingNamesTheOverlay() throws IOException {
    Path copy = copyOfDeploy();
    Path overlay = copy.resolve("overlays/production/kustomization.yaml");
    edit(overlay, "name: palisade-controller}", "name: palisade-controler}");
    KustomizeException e = assertThrows(KustomizeException.class, () -> KustomizeRenderer.render(overlay.getParent()));
    assertTrue(e.getMessage().startsWith(overlay.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("matches no resource"), e.getMessage());
  }

  @Test
  void aPatchPathThatDoesNotExistNamesTheOverlay() throws IOException {
    Path copy = copyOfDeploy();
    Path overlay = copy.resolve("overlays/staging/kustomization.yaml");
    edit(overlay, "/spec/template/spec/containers/0/args/2", "/spec/template/spec/containers/1/args/2");
    KustomizeException e = assertThrows(KustomizeException.class, () -> KustomizeRenderer.render(overlay.getParent()));
    assertTrue(e.getMessage().startsWith(overlay.toString()), e.getMessage());
  }

  // ---- the renderer against kustomize itself, where kubectl is installed ----

  @Test
  void rendersWhatKubectlKustomizeRenders() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL
        + ": the renderer is not compared with kubectl kustomize");
    YAMLMapper yaml = YAMLMapper.builder().build();
    for (String variant : List.of("base", "overlays/staging", "overlays/production")) {
      Path out = dir.resolve("kustomize.out");
      Process p = new ProcessBuilder(KUBECTL.toString(), "kustomize", DEPLOY.resolve(variant).toString())
          .redirectOutput(out.toFile()).redirectErrorStream(false).redirectError(dir.resolve("kustomize.err").toFile())
          .start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not finish");
      assertEquals(0, p.exitValue(), () -> read(dir.resolve("kustomize.err")));
      Map<String, JsonNode> theirs = new TreeMap<>();
      for (JsonNode doc : yaml.readerFor(JsonNode.class).<JsonNode>readValues(out.toFile()).readAll()) {
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          Manifest m = new Manifest(out, (tools.jackson.databind.node.ObjectNode) doc);
          theirs.put(m.id(), doc);
        }
      }
      Map<String, JsonNode> ours = new TreeMap<>();
      KustomizeRenderer.render(DEPLOY.resolve(variant)).forEach(m -> ours.put(m.id(), m.object()));
      assertEquals(theirs.keySet(), ours.keySet(), variant);
      for (String id : ours.keySet()) {
        assertEquals(theirs.get(id), ours.get(id), variant + " " + id);
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}

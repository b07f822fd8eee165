package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.yaml.YamlReader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

/** The lab API server as kubectl and fabric8 clients use it. */
class LabApiServerTest {
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  /** shared/ sits beside the repository; Maven runs tests in the module directory. */
  private static final Path SHARED_EXAMPLES = Path.of("../../shared/scenarios/examples");
  private static final Path WORKLOADS_SCENARIO = Path.of("src/test/resources/scenarios/workloads.yaml");
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  @TempDir
  Path dir;
  private LabApiServer api;
  private Path kubeconfig;

  @BeforeAll
  static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @BeforeEach
  void start() {
    api = LabApiServer.start();
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Runs kubectl against the lab with a private discovery cache, so no run sees another's. */
  private Run kubectl(String... args) throws IOException, InterruptedException {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", dir.resolve("kube-cache").toString(), "--request-timeout", "30s"));
    command.addAll(List.of(args));
    Path out = dir.resolve("kubectl.out");
    Path err = dir.resolve("kubectl.err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private Run kubectlOk(String... args) throws IOException, InterruptedException {
    Run run = kubectl(args);
    assertEquals(0, run.exit(), () -> "kubectl " + String.join(" ", args) + "\n" + run);
    return run;
  }

  private void namespace(String name) {
    api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private Pod pod(String namespace, String name, String app) {
    return api.client().pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", app).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("palisade/echo").endContainer().endSpec()
        .build()).create();
  }

  /** kubectl's table without a Table response from the server: one row per object, NAME first. */
  private static List<List<String>> rows(String table) {
    return table.lines().skip(1).map(l -> List.of(l.trim().split("\\s+"))).toList();
  }

  @Test
  void serverListensOnLoopbackAndKubeconfigNamesIt() throws IOException {
    assertTrue(api.url().matches("https://127\\.0\\.0\\.1:\\d+"), api.url());
    assertTrue(api.port() > 0);
    String text = Files.readString(kubeconfig);
    assertTrue(text.contains("server: " + api.url()), text);
    Config config = Config.fromKubeconfig(text);
    assertEquals("default", config.getNamespace());
    assertEquals(api.url() + "/", config.getMasterUrl());
  }

  @Test
  void fabric8ClientFromTheKubeconfigSeesTheSameStore() throws IOException {
    namespace("seen");
    try (KubernetesClient other = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
      assertNotNull(other.namespaces().withName("seen").get());
      other.pods().resource(new PodBuilder().withNewMetadata().withName("p").endMetadata().build()).create();
    }
    assertNotNull(api.client().pods().inNamespace("default").withName("p").get(), "the kubeconfig's namespace is default");
  }

  @Test
  void kubectlGetsPodsInAllNamespacesAndNamespaces() throws Exception {
    namespace("shop");
    namespace("bank");
    pod("shop", "web-1", "web");
    pod("bank", "ledger-1", "ledger");

    List<List<String>> pods = rows(kubectlOk("get", "pods", "-A").out());
    assertEquals(List.of(List.of("bank", "ledger-1"), List.of("shop", "web-1")),
        pods.stream().map(r -> r.subList(0, 2)).sorted((a, b) -> a.get(0).compareTo(b.get(0))).toList());

    List<String> namespaces = rows(kubectlOk("get", "ns").out()).stream().map(r -> r.get(0)).sorted().toList();
    assertEquals(List.of("bank", "shop"), namespaces);

    Run inDefault = kubectlOk("get", "pods");
    assertTrue(inDefault.err().contains("No resources found in default namespace"), inDefault.toString());
  }

  @Test
  void kubectlSelectsByLabel() throws Exception {
    namespace("shop");
    pod("shop", "web-1", "web");
    pod("shop", "db-1", "db");
    assertEquals(List.of("pod/web-1"), kubectlOk("get", "pods", "-n", "shop", "-l", "app=web", "-o", "name").out().lines().toList());
  }

  @Test
  void kubectlDeletesAPod() throws Exception {
    namespace("shop");
    pod("shop", "web-1", "web");
    pod("shop", "web-2", "web");
    Run run = kubectlOk("delete", "pod", "web-1", "-n", "shop");
    assertTrue(run.out().contains("pod \"web-1\" deleted"), run.toString());
    assertNull(api.client().pods().inNamespace("shop").withName("web-1").get());
    assertNotNull(api.client().pods().inNamespace("shop").withName("web-2").get());
  }

  @Test
  void kubectlAppliesTheWorkloadsScenarioAndGetsDeployments() throws Exception {
    Path manifests = manifestsOf(WORKLOADS_SCENARIO);
    Run applied = kubectlOk("apply", "-f", manifests.toString());
    assertTrue(applied.out().contains("deployment.apps/web created"), applied.toString());
    assertAllStored(manifests);

    List<List<String>> deployments = rows(kubectlOk("get", "deploy", "-n", "shop").out());
    assertTrue(deployments.stream().anyMatch(r -> r.get(0).equals("web")), deployments.toString());
    assertTrue(kubectlOk("get", "svc", "-n", "shop", "-o", "name").out().lines().count() >= 1);
  }

  @Test
  void kubectlReappliesAChangedDeploymentWithoutDuplicatingLists() throws Exception {
    Path manifests = manifestsOf(WORKLOADS_SCENARIO);
    kubectlOk("apply", "-f", manifests.toString());
    // A strategic merge patch: containers are merged by name, the new env list is added.
    String changed = Files.readString(manifests).replace("image: shop/web:1.0",
        "image: shop/web:2.0, env: [{name: MODE, value: fast}]");
    assertFalse(changed.equals(Files.readString(manifests)), "the scenario's web image changed: fix this test");
    Path second = Files.writeString(dir.resolve("changed.yaml"), changed);

    Run run = kubectlOk("apply", "-f", second.toString());
    assertTrue(run.out().contains("deployment.apps/web configured"), run.toString());
    var containers = api.client().apps().deployments().inNamespace("shop").withName("web").get()
        .getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), containers.toString());
    assertEquals("shop/web:2.0", containers.get(0).getImage());
    assertEquals("MODE", containers.get(0).getEnv().get(0).getName());
    assertEquals(8080, containers.get(0).getPorts().get(0).getContainerPort());

    kubectlOk("apply", "-f", manifests.toString());
    Deployment back = api.client().apps().deployments().inNamespace("shop").withName("web").get();
    assertEquals("shop/web:1.0", back.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertTrue(back.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().isEmpty(), "env removed again");
    assertTrue(kubectlOk("apply", "-f", manifests.toString()).out().contains("deployment.apps/web unchanged"));
  }

  @Test
  void kubectlAppliesEverySharedExampleScenario() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SHARED_EXAMPLES), "no shared scenarios at " + SHARED_EXAMPLES.toAbsolutePath());
    List<Path> scenarios;
    try (Stream<Path> files = Files.list(SHARED_EXAMPLES)) {
      scenarios = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(scenarios.isEmpty());
    int objects = 0;
    for (Path scenario : scenarios) {
      Path manifests = kubeObjectsOf(scenario);
      objects += kubectlOk("apply", "-f", manifests.toString()).out().lines().count();
      assertAllStored(manifests);
      // Applying the same objects again changes nothing: the patches kubectl computes are empty.
      Run again = kubectlOk("apply", "-f", manifests.toString());
      assertFalse(again.out().contains("configured"), scenario + ": " + again);
    }
    assertTrue(objects >= scenarios.size(), "every shared scenario has objects to apply");
  }

  @Test
  void kubectlDiscoversTheLabKinds() throws Exception {
    String resources = kubectlOk("api-resources", "--no-headers").out();
    for (String expected : List.of("pods", "deployments", "endpointslices", "networkpolicies", "leases",
        "customresourcedefinitions", "allowlists", "learnedflows", "workloadidentities", "segmentationmodes")) {
      assertTrue(resources.lines().anyMatch(l -> l.startsWith(expected + " ")), expected + " in\n" + resources);
    }
    assertTrue(resources.lines().anyMatch(l -> l.matches("allowlists\\s+(pal\\s+)?palisade.dev/v1alpha1\\s+true\\s+AllowList")),
        resources);
  }

  @Test
  void informerSeesAddUpdateAndDeleteOfPods() throws Exception {
    namespace("shop");
    pod("shop", "before", "web");
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    SharedIndexInformer<Pod> informer = api.client().pods().inNamespace("shop").inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        events.add("add " + pod.getMetadata().getName());
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (!old.getMetadata().getResourceVersion().equals(pod.getMetadata().getResourceVersion())) {
          events.add("update " + pod.getMetadata().getName() + " " + pod.getMetadata().getLabels().get("app"));
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {
        events.add("delete " + pod.getMetadata().getName());
      }
    }, 0);
    try {
      assertEquals("add before", events.poll(20, TimeUnit.SECONDS), "initial list");
      pod("shop", "after", "web");
      assertEquals("add after", events.poll(20, TimeUnit.SECONDS));
      api.client().pods().inNamespace("shop").withName("after").edit(p -> new PodBuilder(p)
          .editMetadata().addToLabels("app", "web2").endMetadata().build());
      assertEquals("update after web2", events.poll(20, TimeUnit.SECONDS));
      api.client().pods().inNamespace("shop").withName("before").delete();
      assertEquals("delete before", events.poll(20, TimeUnit.SECONDS));
      assertEquals(List.of("after"), informer.getIndexer().list().stream().map(p -> p.getMetadata().getName()).toList());
      assertNotNull(informer.lastSyncResourceVersion());
    } finally {
      informer.close();
    }
  }

  @Test
  void listFiltersByLabelSelector() {
    namespace("shop");
    pod("shop", "web-1", "web");
    pod("shop", "web-2", "web");
    pod("shop", "db-1", "db");
    assertEquals(List.of("web-1", "web-2"), names(api.client().pods().inNamespace("shop").withLabel("app", "web").list().getItems()));
    assertEquals(List.of("db-1"), names(api.client().pods().inAnyNamespace().withLabels(Map.of("app", "db")).list().getItems()));
    assertEquals(List.of(), names(api.client().pods().inNamespace("shop").withLabel("app", "none").list().getItems()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void allowListsAreCreatedListedAndWatched() throws Exception {
    namespace("shop");
    MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> allowLists =
        api.client().genericKubernetesResources("palisade.dev/v1alpha1", "AllowList");
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    Watch watch = allowLists.inNamespace("shop").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource r) {
        events.add(action + " " + r.getMetadata().getName() + " " + r.get("spec", "mode"));
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    });
    try {
      allowLists.inNamespace("shop").resource(allowList("deployment-web", "enforce")).create();
      allowLists.inNamespace("shop").resource(allowList("deployment-db", "learn")).create();
      assertEquals("ADDED deployment-web enforce", events.poll(20, TimeUnit.SECONDS));
      assertEquals("ADDED deployment-db learn", events.poll(20, TimeUnit.SECONDS));

      allowLists.inNamespace("shop").withName("deployment-db").edit(r -> {
        ((Map<String, Object>) r.getAdditionalProperties().get("spec")).put("mode", "enforce");
        return r;
      });
      assertEquals("MODIFIED deployment-db enforce", events.poll(20, TimeUnit.SECONDS));
    } finally {
      watch.close();
    }
    assertEquals(List.of("deployment-db", "deployment-web"), names(allowLists.inNamespace("shop").list().getItems()));
    assertEquals(List.of("deployment-db", "deployment-web"), names(allowLists.inAnyNamespace().list().getItems()));
    GenericKubernetesResource stored = allowLists.inNamespace("shop").withName("deployment-web").get();
    assertEquals("palisade.dev/v1alpha1", stored.getApiVersion());
    assertEquals(List.of(Map.of("ports", "a"), Map.of("ports", "b")), stored.get("spec", "ingress"));

    List<String> viaKubectl = kubectlOk("get", "allowlists", "-n", "shop", "-o", "name").out().lines().sorted().toList();
    assertEquals(List.of("allowlist.palisade.dev/deployment-db", "allowlist.palisade.dev/deployment-web"), viaKubectl);
    String shortName = io.fabric8.kubernetes.client.CustomResource.getShortNames(dev.palisade.model.crd.AllowList.class)[0];
    assertEquals(viaKubectl, kubectlOk("get", shortName, "-n", "shop", "-o", "name").out().lines().sorted().toList(),
        "the CRD's short name, from discovery");
  }

  @Test
  void kubectlReappliesACustomResourceReplacingItsLists() throws Exception {
    namespace("shop");
    String manifest = """
        apiVersion: palisade.dev/v1alpha1
        kind: AllowList
        metadata: {name: deployment-web, namespace: shop}
        spec:
          ingress: [%s]
        """;
    kubectlOk("apply", "-f", Files.writeString(dir.resolve("al1.yaml"), manifest.formatted("{ports: a}, {ports: b}")).toString());
    // kubectl sends a JSON merge patch for custom resources: lists are replaced, not appended to.
    Run run = kubectlOk("apply", "-f", Files.writeString(dir.resolve("al2.yaml"), manifest.formatted("{ports: a}, {ports: c}")).toString());
    assertTrue(run.out().contains("configured"), run.toString());
    GenericKubernetesResource stored = api.client().genericKubernetesResources("palisade.dev/v1alpha1", "AllowList")
        .inNamespace("shop").withName("deployment-web").get();
    assertEquals(List.of(Map.of("ports", "a"), Map.of("ports", "c")), stored.get("spec", "ingress"));
  }

  private static GenericKubernetesResource allowList(String name, String mode) {
    return new GenericKubernetesResourceBuilder().withApiVersion("palisade.dev/v1alpha1").withKind("AllowList")
        .withNewMetadata().withName(name).withNamespace("shop").endMetadata()
        .addToAdditionalProperties("spec", new java.util.HashMap<>(Map.of("mode", mode,
            "ingress", List.of(Map.of("ports", "a"), Map.of("ports", "b")))))
        .build();
  }

  private static List<String> names(List<? extends HasMetadata> items) {
    return items.stream().map(i -> i.getMetadata().getName()).sorted().toList();
  }

  /** The {@code manifests} block of a scenario file, written to its own file for kubectl. */
  private Path manifestsOf(Path scenario) throws IOException {
    JsonNode root = YamlReader.readOne(Files.readString(scenario)); // aliases resolved, as the runner reads it
    String manifests = root.path("manifests").asString("");
    assertFalse(manifests.isBlank(), scenario + " has manifests");
    return Files.writeString(dir.resolve(scenario.getFileName() + ".manifests.yaml"), manifests, StandardCharsets.UTF_8);
  }

  /**
   * Every Kubernetes object a scenario names, last version of each: its topology's namespaces, its
   * {@code manifests}, and each step's {@code manifests} and {@code policy}.
   */
  private Path kubeObjectsOf(Path scenario) throws IOException {
    JsonNode root = YamlReader.readOne(Files.readString(scenario)); // aliases resolved, as the runner reads it
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode ns : root.path("topology").path("namespaces")) {
      docs.add(YAML.readTree("{apiVersion: v1, kind: Namespace, metadata: {name: " + ns.path("name").asString() + "}}"));
    }
    docs.addAll(documents(root.path("manifests").asString("")));
    for (JsonNode step : root.path("steps")) {
      docs.addAll(documents(step.path("manifests").asString("")));
      if (step.has("policy")) {
        docs.add(step.get("policy"));
      }
    }
    Map<String, JsonNode> latest = new java.util.LinkedHashMap<>();
    for (JsonNode doc : docs) {
      JsonNode meta = doc.path("metadata");
      latest.put(doc.path("apiVersion").asString() + " " + doc.path("kind").asString() + " "
          + meta.path("namespace").asString("") + "/" + meta.path("name").asString(), doc);
    }
    StringBuilder yaml = new StringBuilder();
    for (JsonNode doc : latest.values()) {
      yaml.append("---\n").append(YAML.writeValueAsString(doc).replaceFirst("^---\\s*\n", ""));
    }
    return Files.writeString(dir.resolve(scenario.getFileName() + ".objects.yaml"), yaml);
  }

  private static List<JsonNode> documents(String yaml) {
    if (yaml.isBlank()) {
      return List.of();
    }
    return YamlReader.readAll(yaml).stream().filter(d -> !d.isNull() && !d.isEmpty()).toList();
  }

  /** Every object of a manifest file is in the store, read back through fabric8. */
  private void assertAllStored(Path manifests) throws IOException {
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests.toFile()).readAll()) {
      if (doc == null || doc.isNull() || doc.isEmpty()) {
        continue;
      }
      String apiVersion = doc.path("apiVersion").asString();
      String kind = doc.path("kind").asString();
      String name = doc.path("metadata").path("name").asString();
      String namespace = doc.path("metadata").path("namespace").asString(null);
      var resources = api.client().genericKubernetesResources(apiVersion, kind);
      GenericKubernetesResource stored = namespace == null ? resources.withName(name).get()
          : resources.inNamespace(namespace).withName(name).get();
      assertNotNull(stored, manifests.getFileName() + ": " + kind + " " + namespace + "/" + name);
    }
  }
}

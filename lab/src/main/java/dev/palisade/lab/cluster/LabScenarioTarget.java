package dev.palisade.lab.cluster;

import dev.palisade.lab.net.Prober;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.lab.scenario.ScenarioTarget;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyList;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs scenarios on a fresh {@link Lab} each: topology and manifests become API objects, the
 * workload controllers make pods, probes are real connections from the pods' namespaces.
 * Policy steps write NetworkPolicy objects; the runner's wait for convergence ends when every
 * agent's ruleset was computed from exactly what the API server holds.
 */
public final class LabScenarioTarget implements ScenarioTarget {
  private static final Duration READY = Duration.ofSeconds(120);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Map<String, String> API_VERSIONS = Map.ofEntries(
      Map.entry("Pod", "v1"), Map.entry("Service", "v1"), Map.entry("Namespace", "v1"),
      Map.entry("ServiceAccount", "v1"), Map.entry("ConfigMap", "v1"),
      Map.entry("Deployment", "apps/v1"), Map.entry("StatefulSet", "apps/v1"), Map.entry("DaemonSet", "apps/v1"),
      Map.entry("ReplicaSet", "apps/v1"), Map.entry("Job", "batch/v1"),
      Map.entry("NetworkPolicy", "networking.k8s.io/v1"));

  private final String labId;
  private Lab lab;
  /** The scenario's outside, if it has one. */
  private LabOutside outside;

  /** A target whose lab picks its own id (from the pid and a sequence number). */
  public LabScenarioTarget() {
    this(null);
  }

  /** A target whose lab has this id (its namespaces are pal-ID-*), e.g. to keep parallel labs apart. */
  public LabScenarioTarget(String labId) {
    this.labId = labId;
  }

  @Override
  public void setUp(Scenario s) {
    String id = labId != null ? labId : "s" + (ProcessHandle.current().pid() % 100000) + "x" + SEQ.incrementAndGet();
    lab = Lab.start(id, s.nodes());
    if (!s.outside().isEmpty()) {
      outside = LabOutside.start(lab, s.outside());
    }
    for (Scenario.TopologyNamespace ns : s.namespaces()) {
      lab.ensureNamespace(ns.name(), ns.labels());
    }
    for (Scenario.TopologyPod p : s.pods()) {
      if (s.namespaces().stream().noneMatch(n -> n.name().equals(p.namespace()))) {
        lab.ensureNamespace(p.namespace(), Map.of());
      }
      if (p.syntheticIp() != null && !p.syntheticIp().isBlank()) {
        lab.runtime().pin(p.namespace(), p.name(), p.syntheticIp());
      }
      PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name())
          .withLabels(p.labels()).endMetadata()
          .withNewSpec().addNewContainer().withName("serve").withImage("lab/echo")
          .withPorts(p.containerPorts().stream().map(cp -> new ContainerPortBuilder().withName(blankToNull(cp.name()))
              .withContainerPort(cp.port()).withProtocol(cp.protocol()).build()).toList())
          .endContainer().endSpec();
      if (p.node() != null) {
        if (p.node() < 0 || p.node() >= s.nodes()) {
          throw new ScenarioException("pod " + p.ref() + " names node " + p.node() + " but the lab has "
              + s.nodes() + " node(s)");
        }
        b.editSpec().withNodeName(nodeName(p.node())).endSpec();
      }
      lab.client().pods().inNamespace(p.namespace()).resource(b.build()).create();
    }
    if (s.manifests() != null && !s.manifests().isBlank()) {
      lab.apply(s.manifests());
    }
    lab.awaitReady(READY);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Node names as the workload controllers create them. */
  static String nodeName(int index) {
    return "lab-node-" + index;
  }

  public Lab lab() {
    return lab;
  }

  private KubernetesClient client() {
    return lab.client();
  }

  @Override
  public List<String> resolvePods(String ref) {
    if (ref.startsWith("service/") || (outside != null && LabOutside.isOutside(ref))) {
      return List.of(ref); // one end each; dial() finds where it is
    }
    String[] parts = ref.split("/");
    if (parts.length == 2) {
      Pod p = client().pods().inNamespace(parts[0]).withName(parts[1]).get();
      if (p == null) {
        throw new ScenarioException("no pod " + ref + " in the lab");
      }
      return List.of(ref);
    }
    if (parts.length == 4 && parts[0].equals("workload")) {
      List<String> pods = new ArrayList<>();
      for (Pod p : client().pods().inNamespace(parts[1]).list().getItems()) {
        if (isDeleting(p)) {
          continue;
        }
        String root = rootOwner(p);
        if (root.equals(parts[2] + "/" + parts[3])) {
          pods.add(parts[1] + "/" + p.getMetadata().getName());
        }
      }
      if (pods.isEmpty()) {
        throw new ScenarioException("workload " + ref + " has no pods in the lab");
      }
      pods.sort(null);
      return pods;
    }
    throw new ScenarioException("cannot resolve '" + ref + "': expected ns/pod or workload/NS/KIND/NAME");
  }

  private static boolean isDeleting(Pod p) {
    return p.getMetadata().getDeletionTimestamp() != null;
  }

  /** KIND/NAME of the object at the top of the pod's controller chain (the pod itself if bare). */
  private String rootOwner(Pod p) {
    HasMetadata current = p;
    String kind = "Pod";
    for (int depth = 0; depth < 5; depth++) {
      OwnerReference owner = controllerOf(current);
      if (owner == null) {
        break;
      }
      kind = owner.getKind();
      String apiVersion = owner.getApiVersion();
      HasMetadata next = client().genericKubernetesResources(apiVersion, kind)
          .inNamespace(p.getMetadata().getNamespace()).withName(owner.getName()).get();
      if (next == null) {
        return kind + "/" + owner.getName();
      }
      current = next;
    }
    return kind + "/" + current.getMetadata().getName();
  }

  private static OwnerReference controllerOf(HasMetadata o) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    if (refs == null) {
      return null;
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst()
        .orElse(refs.isEmpty() ? null : refs.get(0));
  }

  @Override
  public String podIp(String pod) {
    String[] parts = pod.split("/", 2);
    String ip = lab.runtime().ipOf(parts[0], parts[1]);
    if (ip == null) {
      throw new ScenarioException("pod " + pod + " is not running in the lab");
    }
    return ip;
  }

  @Override
  public Endpoint serviceEndpoint(String namespace, String service, int port, String protocol) {
    Service svc = client().services().inNamespace(namespace).withName(service).get();
    if (svc == null) {
      throw new ScenarioException("no service " + namespace + "/" + service);
    }
    ServicePort sp = svc.getSpec().getPorts().stream()
        .filter(p -> p.getPort() == port && Objects.equals(p.getProtocol() == null ? "TCP" : p.getProtocol(), protocol))
        .findFirst().orElseThrow(() -> new ScenarioException("service " + namespace + "/" + service
            + " has no port " + port + "/" + protocol));
    for (EndpointSlice slice : client().discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service).list().getItems()) {
      Integer target = null;
      for (EndpointPort ep : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
        if (Objects.equals(ep.getName() == null ? "" : ep.getName(), sp.getName() == null ? "" : sp.getName())) {
          target = ep.getPort();
        }
      }
      if (target == null) {
        continue;
      }
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
        boolean ready = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        if (ready && e.getAddresses() != null && !e.getAddresses().isEmpty()) {
          return new Endpoint(e.getAddresses().get(0), target);
        }
      }
    }
    throw new ScenarioException("service " + namespace + "/" + service + " has no ready endpoint for port " + port);
  }

  @Override
  public Endpoint dial(String src, String dst, int port, String protocol) {
    if (outside != null && (LabOutside.isOutside(src) || LabOutside.isOutside(dst))) {
      return outside.dial(src, dst, port, protocol);
    }
    return ScenarioTarget.super.dial(src, dst, port, protocol);
  }

  @Override
  public boolean probe(String fromPod, String ip, int port, String protocol) {
    return attempt(fromPod, ip, port, protocol, true);
  }

  @Override
  public boolean connect(String fromPod, String ip, int port, String protocol) {
    return attempt(fromPod, ip, port, protocol, false);
  }

  private boolean attempt(String from, String ip, int port, String protocol, boolean measurement) {
    return outside != null && LabOutside.isOutside(from) ? outside.connect(from, ip, port, protocol, measurement)
        : Prober.connect(lab.network().pod(from).ns(), ip, port, protocol, Prober.DEFAULT_TIMEOUT, measurement);
  }

  @Override
  public void perform(Step step) {
    Map<String, Object> f = step.fields();
    switch (step.action()) {
      case "apply" -> {
        lab.apply(String.valueOf(required(step, "manifests")));
        lab.awaitReady(READY);
      }
      case "delete" -> {
        String kind = String.valueOf(required(step, "kind"));
        String apiVersion = API_VERSIONS.get(kind);
        if (apiVersion == null) {
          throw new ScenarioException(step.describe() + ": cannot delete kind " + kind + " (known: "
              + API_VERSIONS.keySet() + ")");
        }
        var op = client().genericKubernetesResources(apiVersion, kind);
        String name = String.valueOf(required(step, "name"));
        if (kind.equals("Namespace")) {
          op.withName(name).delete();
        } else {
          op.inNamespace(String.valueOf(required(step, "namespace"))).withName(name).delete();
        }
        lab.awaitReady(READY);
      }
      case "set-pod-labels" -> {
        String[] ref = String.valueOf(required(step, "pod")).split("/", 2);
        Map<String, String> labels = stringMap(step, "labels");
        client().pods().inNamespace(ref[0]).withName(ref[1]).edit(p -> new PodBuilder(p).editMetadata()
            .withLabels(labels).endMetadata().build());
      }
      case "set-namespace-labels" -> {
        String name = String.valueOf(required(step, "namespace"));
        Map<String, String> labels = new HashMap<>(stringMap(step, "labels"));
        labels.put("kubernetes.io/metadata.name", name);
        client().namespaces().withName(name).edit(n -> {
          n.getMetadata().setLabels(labels);
          return n;
        });
      }
      case "create-policy" -> {
        if (ClusterPolicies.isClusterPolicy(step)) {
          ClusterPolicies.create(client(), step);
          return;
        }
        NetworkPolicy np = policy(step);
        policies().inNamespace(np.getMetadata().getNamespace()).resource(np).create();
      }
      case "update-policy" -> {
        if (ClusterPolicies.isClusterPolicy(step)) {
          ClusterPolicies.update(client(), step);
          return;
        }
        NetworkPolicy np = policy(step);
        var existing = policies().inNamespace(np.getMetadata().getNamespace()).withName(np.getMetadata().getName());
        if (existing.get() == null) {
          throw new ScenarioException(step.describe() + ": no NetworkPolicy " + np.getMetadata().getNamespace() + "/"
              + np.getMetadata().getName() + " to update");
        }
        // the whole spec is replaced, as kubectl replace would
        existing.edit(old -> {
          old.setSpec(np.getSpec());
          return old;
        });
      }
      case "delete-policy" -> {
        String kind = String.valueOf(f.getOrDefault("kind", "NetworkPolicy"));
        if (ClusterPolicies.isKind(kind)) {
          ClusterPolicies.delete(client(), step, kind, String.valueOf(required(step, "name")));
          return;
        }
        networkPolicyOnly(step, kind);
        String ns = String.valueOf(required(step, "namespace"));
        String name = String.valueOf(required(step, "name"));
        if (policies().inNamespace(ns).withName(name).delete().isEmpty()) {
          throw new ScenarioException(step.describe() + ": no NetworkPolicy " + ns + "/" + name + " to delete");
        }
      }
      case "delete-all-policies" -> {
        policies().inAnyNamespace().delete();
        dev.palisade.model.cnp.ClusterPolicyKind.ALL.forEach(k -> ClusterPolicies.of(client(), k.kind()).delete());
      }
      case "set-mode" -> setMode(step);
      case "approve-learned" -> review(step, "approved");
      case "reject-learned" -> review(step, "rejected");
      case "set-dns" -> Objects.requireNonNull(outside, "set-dns without an outside section").setDns(step);
      default -> throw new UnsupportedStepException(step.action());
    }
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<NetworkPolicy, NetworkPolicyList,
      io.fabric8.kubernetes.client.dsl.Resource<NetworkPolicy>> policies() {
    return client().network().v1().networkPolicies();
  }

  /** The step's {@code policy:} as a NetworkPolicy; its namespace defaults to "default". */
  private NetworkPolicy policy(Step step) {
    Object raw = required(step, "policy");
    if (!(raw instanceof Map<?, ?> map)) {
      throw new ScenarioException(step.describe() + ": 'policy' must be a NetworkPolicy mapping");
    }
    networkPolicyOnly(step, map.get("kind") == null ? "NetworkPolicy" : String.valueOf(map.get("kind")));
    NetworkPolicy np;
    try {
      np = client().getKubernetesSerialization().convertValue(raw, NetworkPolicy.class);
    } catch (RuntimeException e) {
      throw new ScenarioException(step.describe() + ": 'policy' is not a NetworkPolicy: " + e.getMessage());
    }
    if (np.getMetadata() == null || np.getMetadata().getName() == null || np.getMetadata().getName().isBlank()) {
      throw new ScenarioException(step.describe() + ": the policy has no metadata.name");
    }
    if (np.getMetadata().getNamespace() == null || np.getMetadata().getNamespace().isBlank()) {
      np.getMetadata().setNamespace("default");
    }
    return np;
  }

  /** Only NetworkPolicy is namespaced; the cluster-scoped kinds are handled above. */
  private static void networkPolicyOnly(Step step, String kind) {
    if (!kind.equals("NetworkPolicy")) {
      throw new UnsupportedStepException(step.action() + " of a " + kind + " (cluster-wide policies)");
    }
  }

  /** A SegmentationMode resource, as a user (or GitOps) would write it. */
  private void setMode(Step step) {
    String target = String.valueOf(required(step, "target"));
    String mode = String.valueOf(required(step, "mode"));
    // a typo fails the step, it does not silently open anything; the CRD takes the lower-case name
    String canonical = dev.palisade.model.Mode.parse(mode).text();
    String[] t = target.split("/");
    SegmentationMode m = new SegmentationMode();
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = canonical;
    String ns;
    String name;
    if (t.length == 2 && t[0].equals("namespace")) {
      ns = t[1];
      name = "namespace";
    } else if (t.length == 4 && t[0].equals("workload")) {
      ns = t[1];
      m.getSpec().workload = t[2] + "/" + t[3];
      name = CrdNames.objectName(new WorkloadRef(ns, t[2], t[3]));
    } else {
      throw new ScenarioException(step.describe() + ": target must be namespace/NS or workload/NS/KIND/NAME, not "
          + target);
    }
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    client().resources(SegmentationMode.class).inNamespace(ns).resource(m).createOr(NonDeletingOperation::update);
  }

  /** Approves or rejects learned edges through the controller's HTTP API, as the review page does. */
  private void review(Step step, String status) {
    LabPalisade p = lab.palisade().orElseThrow(() -> new UnsupportedStepException(step.describe()
        + ": this lab runs without Palisade"));
    p.flushFlows(Duration.ofSeconds(10));
    StringBuilder body = new StringBuilder("{\"status\":\"" + status + "\"");
    Object only = step.fields().get("only");
    if (only == null) {
      body.append(",\"all\":true"); // the controller decides every edge only when told so explicitly
    } else {
      if (!(only instanceof List<?> list)) {
        throw new ScenarioException(step.describe() + ": only must be a list of {from, to, port, protocol}");
      }
      body.append(",\"only\":[");
      boolean first = true;
      for (Object o : list) {
        if (!(o instanceof Map<?, ?> e)) {
          throw new ScenarioException(step.describe() + ": each 'only' entry must be a mapping");
        }
        body.append(first ? "" : ",").append("{\"from\":\"").append(vertex(step, e.get("from")))
            .append("\",\"to\":\"").append(vertex(step, e.get("to"))).append("\",\"port\":")
            .append(Integer.parseInt(String.valueOf(e.get("port")))).append(",\"protocol\":\"")
            .append(e.containsKey("protocol") ? e.get("protocol") : "TCP").append("\"}");
        first = false;
      }
      body.append("]");
    }
    body.append("}");
    try {
      HttpResponse<String> r = p.httpClient().send(HttpRequest.newBuilder(URI.create(p.url() + "/v1/review"))
          .header("Authorization", "Bearer " + p.approverToken())
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new ScenarioException(step.describe() + ": the controller refused the review: " + r.statusCode() + " "
            + r.body());
      }
    } catch (java.io.IOException e) {
      throw new ScenarioException(step.describe() + ": cannot reach the controller: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScenarioException(step.describe() + ": interrupted");
    }
  }

  /** workload/NS/KIND/NAME -> the graph's vertex NS/KIND/NAME; outside ends as LabOutside names them. */
  private String vertex(Step step, Object ref) {
    String r = String.valueOf(ref);
    if (outside != null && LabOutside.isOutside(r)) {
      return outside.vertex(r);
    }
    String[] p = r.split("/");
    if (p.length == 4 && p[0].equals("workload")) {
      return p[1] + "/" + p[2] + "/" + p[3];
    }
    if (p.length == 2 && !p[0].equals("outside") && !p[0].matches("[0-9.]+")) { // not outside/HOST nor a CIDR
      return p[0] + "/Pod/" + p[1];
    }
    throw new UnsupportedStepException(step.action() + " of an edge to or from " + r
        + " (edges beyond the cluster)");
  }

  private static Object required(Step step, String field) {
    Object v = step.fields().get(field);
    if (v == null) {
      throw new ScenarioException(step.describe() + ": missing '" + field + "'");
    }
    return v;
  }

  private static Map<String, String> stringMap(Step step, String field) {
    Object v = required(step, field);
    if (!(v instanceof Map<?, ?> m)) {
      throw new ScenarioException(step.describe() + ": '" + field + "' must be a mapping");
    }
    Map<String, String> out = new HashMap<>();
    m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
    return out;
  }

  @Override
  public void awaitConverged() {
    lab.awaitReady(READY);
  }

  @Override
  public void close() {
    if (lab != null) {
      lab.close();
      lab = null;
    }
  }
}

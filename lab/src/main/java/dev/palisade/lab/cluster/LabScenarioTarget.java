package dev.palisade.lab.cluster;

import static dev.palisade.lab.cluster.StepFields.required;
import static dev.palisade.lab.cluster.StepFields.stringMap;

import dev.palisade.lab.net.Prober;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.lab.scenario.ScenarioTarget;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
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
    return new WorkloadPods(client()).resolve(ref);
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
      case "create-policy" -> new LabPolicySteps(client()).create(step);
      case "update-policy" -> new LabPolicySteps(client()).update(step);
      case "delete-policy" -> new LabPolicySteps(client()).delete(step);
      case "delete-all-policies" -> new LabPolicySteps(client()).deleteAll();
      case "set-mode" -> new LabPolicySteps(client()).setMode(step);
      case "approve-learned" -> new LearnedEdgeReview(lab, outside).review(step, "approved");
      case "reject-learned" -> new LearnedEdgeReview(lab, outside).review(step, "rejected");
      case "set-dns" -> Objects.requireNonNull(outside, "set-dns without an outside section").setDns(step);
      default -> throw new UnsupportedStepException(step.action());
    }
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

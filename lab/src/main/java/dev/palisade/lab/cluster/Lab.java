package dev.palisade.lab.cluster;

import dev.palisade.lab.kube.LabApiServer;
import dev.palisade.lab.kube.NetworkPodRuntime;
import dev.palisade.lab.kube.WorkloadControllers;
import dev.palisade.lab.kube.dns.OutsideZone;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.OutsideNetwork;
import dev.palisade.lab.yaml.YamlReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import dev.palisade.model.Mode;
import tools.jackson.databind.JsonNode;

/**
 * A whole cluster on one machine: an in-process Kubernetes API server, workload controllers that
 * expand Deployments and friends into pods, and pods that are real network namespaces on real
 * nodes.
 *
 * <pre>
 *  kubectl / fabric8 clients --HTTP--> LabApiServer (fabric8 mock, CRUD)
 *                                           |  watch
 *                                  WorkloadControllers  (deploy -> rs -> pods, sts, ds, job, slices)
 *                                           |  start/stop
 *                                  NetworkPodRuntime --> LabNetwork (pal-ID-n*, pal-ID-p*, pal-ID-f)
 *                                  LabServices (kube-proxy table per node, cluster DNS pod)
 *                                  OutsideNetwork (pal-ID-o: hosts beyond the edge; optional)
 * </pre>
 */
public final class Lab implements AutoCloseable {
  /** Kinds applied first: what later objects live in or refer to. */
  private static final List<String> APPLY_ORDER = List.of("Namespace", "CustomResourceDefinition",
      "ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
      "Job", "Pod", "NetworkPolicy");

  private final String id;
  private final LabNetwork network;
  private final NetworkPodRuntime runtime;
  private final LabApiServer api;
  private final WorkloadControllers controllers;
  private LabPalisade palisade;
  private LabServices services;
  private OutsideNetwork outside;
  private LabLoadBalancer loadBalancer;

  private Lab(String id, LabNetwork network, NetworkPodRuntime runtime, LabApiServer api,
      WorkloadControllers controllers) {
    this.id = id;
    this.network = network;
    this.runtime = runtime;
    this.api = api;
    this.controllers = controllers;
  }

  /**
   * Starts a lab with this id (namespaces pal-ID-*; leftovers of an earlier run are reaped first),
   * with Palisade's controller and one agent per node.
   */
  public static Lab start(String id, int nodes) {
    Lab lab = startBare(id, nodes);
    try {
      lab.palisade = LabPalisade.start(lab.client(), lab.network, Mode.LEARN);
      LabPalisade p = lab.palisade;
      lab.runtime.setHook((ns, name, ip, node) -> p.agents().get(node).podStarting(ns, name, ip, Duration.ofSeconds(30)));
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** A lab without Palisade: only the cluster (API server, controllers, pods). */
  public static Lab startBare(String id, int nodes) {
    LabNetwork net = null;
    LabApiServer api = null;
    WorkloadControllers controllers = null;
    try {
      net = new LabNetwork(id, nodes);
      NetworkPodRuntime runtime = new NetworkPodRuntime(net);
      api = LabApiServer.start();
      controllers = new WorkloadControllers(api.client(), runtime, nodes);
      controllers.start();
      Lab lab = new Lab(id, net, runtime, api, controllers);
      lab.services = LabServices.start(api.client(), runtime, Duration.ofSeconds(30)); // cleans up after itself
      return lab;
    } catch (RuntimeException e) {
      if (controllers != null) {
        controllers.close();
      }
      if (api != null) {
        api.close();
      }
      if (net != null) {
        net.close();
      }
      throw e;
    }
  }

  public String id() {
    return id;
  }

  /**
   * Who is told a pod's address before its network exists, as a CNI plugin tells the node's agent
   * (the in-process agents here, or the agent processes' pod-start sockets); a hook that throws
   * fails the pod start, which the lab's kubelet retries.
   */
  public void podNetworkHook(NetworkPodRuntime.PodNetworkHook hook) {
    runtime.setHook(hook);
  }

  public KubernetesClient client() {
    return api.client();
  }

  public LabApiServer api() {
    return api;
  }

  public LabNetwork network() {
    return network;
  }

  public NetworkPodRuntime runtime() {
    return runtime;
  }

  public int nodeCount() {
    return network.nodes().size();
  }

  /** Creates a namespace (if absent) with the label the real API server adds to every namespace. */
  public void ensureNamespace(String name, Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("kubernetes.io/metadata.name", name);
    Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata().build();
    client().namespaces().resource(ns).createOr(NonDeletingOperation::update);
  }

  /**
   * A namespace for workloads on nodes outside the lab: the lab's controllers leave everything in
   * it alone (see {@link WorkloadControllers#leaveAlone}); the caller writes its pods, bound to
   * nodes the lab does not have and with their status, as those nodes' kubelets would. Agents and
   * the controller see them like any other pods.
   */
  public void externalNamespace(String name, Map<String, String> labels) {
    controllers.leaveAlone(name);
    ensureNamespace(name, labels);
  }

  /**
   * Creates or replaces every object of a multi-document manifest, namespaces first. A namespace an
   * object names but the manifest does not create is created, as a user would before applying.
   *
   * @throws IllegalArgumentException naming the document that could not be read or stored
   */
  public List<HasMetadata> apply(String manifests) {
    List<HasMetadata> items;
    try {
      items = objects(client().getKubernetesSerialization(), manifests);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the manifests: " + e.getMessage(), e);
    }
    items.sort(Comparator.comparingInt(Lab::applyRank));
    for (HasMetadata item : items) {
      String what = item.getKind() + " " + item.getMetadata().getName();
      try {
        if (item instanceof Namespace ns) {
          Map<String, String> labels = ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
          ensureNamespace(ns.getMetadata().getName(), labels);
          continue;
        }
        if (item instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource g
            && ClusterPolicies.isKind(g.getKind())) {
          // cluster-scoped (the org's guardrails): no namespace to default to
          ClusterPolicies.of(client(), g.getKind()).resource(g).createOr(NonDeletingOperation::update);
          continue;
        }
        String namespace = item.getMetadata().getNamespace();
        if (namespace == null || namespace.isBlank()) {
          namespace = "default";
          item.getMetadata().setNamespace(namespace);
        }
        if (client().namespaces().withName(namespace).get() == null) {
          ensureNamespace(namespace, Map.of());
        }
        client().resource(item).inNamespace(namespace).createOr(NonDeletingOperation::update);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cannot apply " + what + ": " + e.getMessage(), e);
      }
    }
    return items;
  }

  /**
   * The objects of a multi-document manifest, read with aliases and merge keys resolved
   * ({@link YamlReader}; fabric8 reads YAML with snakeyaml-engine, which keeps {@code <<} as a
   * key), then typed by fabric8 one document at a time; a {@code kind: List} gives its items.
   */
  static List<HasMetadata> objects(KubernetesSerialization serialization, String manifests) {
    List<HasMetadata> items = new ArrayList<>();
    int n = 0;
    for (JsonNode doc : YamlReader.readAll(manifests)) {
      n++;
      if (doc.isNull()) {
        continue;
      }
      Object o = serialization.unmarshal(doc.toString());
      if (o instanceof KubernetesList list) {
        items.addAll(list.getItems());
      } else if (o instanceof HasMetadata object) {
        items.add(object);
      } else {
        throw new IllegalArgumentException("document " + n + " is not a Kubernetes object");
      }
    }
    return items;
  }

  private static int applyRank(HasMetadata item) {
    int i = APPLY_ORDER.indexOf(item.getKind());
    return i < 0 ? APPLY_ORDER.size() : i;
  }

  /**
   * Blocks until every workload has its pods, every pod is running with an IP, and (with
   * Palisade) every agent enforces the newest policy and knows every pod.
   */
  public void awaitReady(Duration timeout) {
    controllers.awaitIdle(timeout);
    if (services != null) {
      services.awaitInSync(client(), timeout);
    }
    if (palisade != null) {
      Set<String> ips = new HashSet<>();
      network.pods().forEach(p -> ips.add(p.ip()));
      palisade.awaitConverged(ips, timeout);
    }
  }

  /**
   * Creates the lab's outside with these hosts (once), and the load-balancer controller that gives
   * LoadBalancer Services an address there; both are removed with the lab.
   */
  public OutsideNetwork startOutside(List<OutsideNetwork.Host> hosts) {
    if (outside != null) {
      throw new IllegalStateException("lab " + id + " has its outside already");
    }
    outside = OutsideNetwork.start(network, hosts);
    loadBalancer = LabLoadBalancer.start(client(), outside);
    return outside;
  }

  /** The outside, if {@link #startOutside} made one. */
  public Optional<OutsideNetwork> outside() {
    return Optional.ofNullable(outside);
  }

  /** The names beyond the cluster the cluster DNS answers. */
  public OutsideZone outsideZone() {
    if (services == null) {
      throw new IllegalStateException("lab " + id + " runs no cluster DNS");
    }
    return services.outsideZone();
  }

  /** Palisade's controller and agents, if this lab runs them. */
  public Optional<LabPalisade> palisade() {
    return Optional.ofNullable(palisade);
  }

  /** Pods the API server holds, ready or not. */
  public List<Pod> pods() {
    return client().pods().inAnyNamespace().list().getItems();
  }

  @Override
  public void close() {
    try {
      if (loadBalancer != null) {
        loadBalancer.close();
      }
      if (outside != null) {
        outside.close(); // its servers; its namespace would also go with the network's below
      }
      if (palisade != null) {
        palisade.close();
      }
      if (services != null) {
        services.close();
      }
      controllers.close();
    } finally {
      try {
        api.close();
      } finally {
        network.close();
      }
    }
  }
}

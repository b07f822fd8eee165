package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Gives each Service a cluster IP (see {@link ClusterIpAllocator}) and keeps its
 * EndpointSlices: every running pod the selector picks, with its IP, node and readiness, and the
 * Service ports resolved to the pod's container ports (a named targetPort is looked up in each
 * pod). Pods that resolve the ports alike share a slice, named {@code <service>-<hash of ports>};
 * a Service with no such pods keeps one empty slice, as Kubernetes does.
 */
final class EndpointSliceController {
  static final String SERVICE_NAME = "kubernetes.io/service-name";
  static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
  static final String MANAGER = "endpointslice-controller.k8s.io";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EndpointSliceController.class);
  private final ControllerContext ctx;

  EndpointSliceController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    Service svc = ctx.client.services().inNamespace(namespace).withName(name).get();
    List<EndpointSlice> existing = ctx.client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SERVICE_NAME, name).list().getItems().stream()
        .filter(s -> MANAGER.equals(KubeObjects.labels(s).get(MANAGED_BY))).toList();
    if (svc == null || KubeObjects.terminating(svc)) {
      existing.forEach(ctx::delete);
      return;
    }
    svc = ensureNodePorts(ensureClusterIp(svc));
    Map<String, String> selector = svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty() || "ExternalName".equals(svc.getSpec().getType())) {
      existing.forEach(ctx::delete); // endpoints of a selector-less Service are the user's to write
      return;
    }
    Map<String, EndpointSlice> desired = desiredSlices(svc, ctx.pods(namespace));
    Map<String, EndpointSlice> have = new HashMap<>();
    existing.forEach(s -> have.put(s.getMetadata().getName(), s));
    for (EndpointSlice want : desired.values()) {
      EndpointSlice current = have.remove(want.getMetadata().getName());
      if (current == null) {
        ctx.create(want);
      } else if (!Objects.equals(want.getEndpoints(), current.getEndpoints())
          || !Objects.equals(want.getPorts(), current.getPorts())
          || !Objects.equals(want.getMetadata().getLabels(), current.getMetadata().getLabels())) {
        ctx.edit(current, s -> {
          s.setEndpoints(want.getEndpoints());
          s.setPorts(want.getPorts());
          s.getMetadata().setLabels(want.getMetadata().getLabels());
          return s;
        });
      }
    }
    have.values().forEach(ctx::delete);
  }

  private Service ensureClusterIp(Service svc) {
    if (!ClusterIpAllocator.needsOne(svc.getSpec().getType(), svc.getSpec().getClusterIP())) {
      return svc;
    }
    Set<String> used = new HashSet<>();
    for (Service s : ctx.client.services().inAnyNamespace().list().getItems()) {
      if (s.getSpec() != null && s.getSpec().getClusterIP() != null) {
        used.add(s.getSpec().getClusterIP());
      }
    }
    String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
    String free = ClusterIpAllocator.allocate(key, used)
        .orElseThrow(() -> new IllegalStateException(ClusterIpAllocator.SERVICE_CIDR + " has no free cluster IP"));
    String allocated = free;
    return ctx.edit(svc, s -> {
      s.getSpec().setClusterIP(allocated);
      s.getSpec().setClusterIPs(List.of(allocated));
      if (s.getSpec().getIpFamilies() == null || s.getSpec().getIpFamilies().isEmpty()) {
        s.getSpec().setIpFamilies(List.of("IPv4"));
        s.getSpec().setIpFamilyPolicy("SingleStack");
      }
      return s;
    });
  }

  /**
   * Gives a NodePort or LoadBalancer Service's ports their node ports ({@link NodePortAllocator}).
   * A bad one is left as written and logged: the lab's API server admits built-in kinds without
   * validation, and kube-proxy programs only node ports in the range.
   */
  private Service ensureNodePorts(Service svc) {
    List<ServicePort> ports = svc.getSpec().getPorts();
    if (!NodePortAllocator.hasNodePorts(svc.getSpec().getType()) || ports == null
        || ports.stream().allMatch(p -> p.getNodePort() != null && p.getNodePort() != 0)) {
      return svc;
    }
    String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
    List<Integer> allocated;
    try {
      allocated = NodePortAllocator.allocate(key, ports,
          NodePortAllocator.usedBy(ctx.client.services().inAnyNamespace().list().getItems(), key));
    } catch (IllegalArgumentException e) {
      LOG.warn("Service {} keeps its node ports unallocated: {}", key, e.getMessage());
      return svc;
    }
    return ctx.edit(svc, s -> {
      for (int i = 0; i < s.getSpec().getPorts().size() && i < allocated.size(); i++) {
        s.getSpec().getPorts().get(i).setNodePort(allocated.get(i));
      }
      return s;
    });
  }

  private Map<String, EndpointSlice> desiredSlices(Service svc, List<Pod> pods) {
    String name = svc.getMetadata().getName();
    // ports signature -> (ports, endpoints)
    Map<List<EndpointPort>, List<Endpoint>> groups = new LinkedHashMap<>();
    List<Pod> selected = new ArrayList<>(pods.stream()
        .filter(p -> KubeObjects.matches(svc.getSpec().getSelector(), KubeObjects.labels(p)))
        .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
        .filter(p -> !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
        .toList());
    selected.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (Pod pod : selected) {
      groups.computeIfAbsent(ports(svc, pod), k -> new ArrayList<>()).add(endpoint(svc, pod));
    }
    if (groups.isEmpty()) {
      groups.put(List.of(), List.of());
    }
    Map<String, String> labels = KubeObjects.copy(svc.getMetadata().getLabels());
    labels.put(SERVICE_NAME, name);
    labels.put(MANAGED_BY, MANAGER);
    Map<String, EndpointSlice> slices = new LinkedHashMap<>();
    groups.forEach((ports, endpoints) -> {
      String sliceName = name + "-" + PodTemplateHash.of(ports.toString());
      slices.put(sliceName, new EndpointSliceBuilder()
          .withNewMetadata()
          .withName(sliceName)
          .withNamespace(svc.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(KubeObjects.controllerRef(svc))
          .endMetadata()
          .withAddressType("IPv4")
          .withEndpoints(endpoints)
          .withPorts(ports)
          .build());
    });
    return slices;
  }

  /** The Service's ports as this pod serves them; a named targetPort the pod lacks is left out. */
  static List<EndpointPort> ports(Service svc, Pod pod) {
    List<EndpointPort> out = new ArrayList<>();
    for (ServicePort sp : svc.getSpec().getPorts() == null ? List.<ServicePort>of() : svc.getSpec().getPorts()) {
      String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
      Optional<Integer> port = targetPort(sp.getTargetPort(), sp.getPort(), protocol, pod);
      port.ifPresent(p -> out.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName())
          .withPort(p).withProtocol(protocol).withAppProtocol(sp.getAppProtocol()).build()));
    }
    return out;
  }

  static Optional<Integer> targetPort(IntOrString target, Integer port, String protocol, Pod pod) {
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return Optional.ofNullable(port);
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    String name = target.getStrVal();
    try {
      return Optional.of(Integer.parseInt(name)); // "8080" given as a string
    } catch (NumberFormatException notANumber) {
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          String cpProtocol = cp.getProtocol() == null ? "TCP" : cp.getProtocol();
          if (name.equals(cp.getName()) && protocol.equals(cpProtocol)) {
            return Optional.ofNullable(cp.getContainerPort());
          }
        }
      }
      return Optional.empty();
    }
  }

  private static Endpoint endpoint(Service svc, Pod pod) {
    boolean ready = KubeObjects.ready(pod) && !KubeObjects.terminating(pod);
    EndpointBuilder b = new EndpointBuilder()
        .withAddresses(pod.getStatus().getPodIP())
        .withNewConditions().withReady(ready).withServing(KubeObjects.ready(pod))
        .withTerminating(KubeObjects.terminating(pod)).endConditions()
        .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build())
        .withNodeName(pod.getSpec().getNodeName());
    String subdomain = pod.getSpec().getSubdomain();
    if (pod.getSpec().getHostname() != null && subdomain != null && subdomain.equals(svc.getMetadata().getName())) {
      b.withHostname(pod.getSpec().getHostname()); // StatefulSet pods under their governing Service
    }
    return b.build();
  }
}

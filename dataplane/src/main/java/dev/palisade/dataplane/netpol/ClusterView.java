package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods NetworkPolicy can select and the namespace labels its namespaceSelectors read. A pod
 * counts only with an IPv4 address and while not terminal (phase Succeeded or Failed): a finished
 * pod's address may already belong to a new pod. Host-network pods are left out: their address is
 * the node's, shared by every host-network pod and the node itself, and upstream leaves policy
 * for them undefined, so neither isolating the node address nor selecting it as a peer is right.
 */
final class ClusterView {
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  record NamedPort(String name, Proto protocol, int port) {}

  record LivePod(String namespace, String name, Map<String, String> labels, String ip, long address,
      List<NamedPort> ports) {}

  /** Of two live pods with one address, the first by namespace/name answers for it (a stable choice). */
  static final java.util.Comparator<LivePod> BY_KEY =
      java.util.Comparator.comparing(LivePod::namespace).thenComparing(LivePod::name);

  private final Map<String, Map<String, String>> namespaceLabels;
  private final java.util.Collection<LivePod> pods;
  private final java.util.function.Function<String, LivePod> byIp;

  ClusterView(List<Namespace> namespaces, List<Pod> pods) {
    namespaceLabels = readNamespaces(namespaces);
    List<LivePod> all = new ArrayList<>();
    Map<String, LivePod> first = new HashMap<>();
    for (Pod p : pods) {
      LivePod live = live(p);
      if (live != null) {
        all.add(live);
        first.merge(live.ip(), live, (a, b) -> BY_KEY.compare(b, a) < 0 ? b : a);
      }
    }
    this.pods = all;
    this.byIp = first::get;
  }

  /**
   * The live pods as {@code index} holds them now (the agent's path: kept between compiles), with
   * namespace labels already read ({@link #readNamespaces}).
   */
  ClusterView(Map<String, Map<String, String>> namespaceLabels, LivePodIndex index) {
    this.namespaceLabels = namespaceLabels;
    this.pods = index.pods();
    this.byIp = index::byIp;
  }

  /** Every listed namespace's labels by name, the name label included. */
  static Map<String, Map<String, String>> readNamespaces(List<Namespace> namespaces) {
    Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    for (Namespace ns : namespaces) {
      if (ns.getMetadata() == null || ns.getMetadata().getName() == null) {
        continue;
      }
      String name = ns.getMetadata().getName();
      Map<String, String> labels = new LinkedHashMap<>();
      if (ns.getMetadata().getLabels() != null) {
        labels.putAll(ns.getMetadata().getLabels());
      }
      // The API server sets this label on every namespace and keeps it equal to the name.
      labels.put(NAMESPACE_NAME_LABEL, name);
      namespaceLabels.put(name, Map.copyOf(labels));
    }
    return java.util.Collections.unmodifiableMap(namespaceLabels);
  }

  java.util.Collection<LivePod> pods() {
    return pods;
  }

  LivePod byIp(String ip) {
    return byIp.apply(ip);
  }

  /** Every listed namespace's labels, by name. */
  Map<String, Map<String, String>> namespaceLabelsByName() {
    return namespaceLabels;
  }

  /** A namespace missing from the list still has the label every namespace gets. */
  Map<String, String> namespaceLabels(String namespace) {
    return namespaceLabels.getOrDefault(namespace, Map.of(NAMESPACE_NAME_LABEL, namespace));
  }

  static LivePod live(Pod p) {
    if (p.getMetadata() == null || p.getStatus() == null) {
      return null;
    }
    String phase = p.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return null;
    }
    if (p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
      return null;
    }
    String ip = ipv4(p);
    if (ip == null) {
      return null;
    }
    Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(p.getMetadata().getLabels());
    return new LivePod(p.getMetadata().getNamespace(), p.getMetadata().getName(), labels, ip, Interval.parseIp(ip),
        List.copyOf(ports(p)));
  }

  private static String ipv4(Pod p) {
    List<String> candidates = new ArrayList<>();
    if (p.getStatus().getPodIPs() != null) {
      for (PodIP ip : p.getStatus().getPodIPs()) {
        candidates.add(ip.getIp());
      }
    }
    candidates.add(p.getStatus().getPodIP());
    for (String c : candidates) {
      if (c != null && !c.contains(":")) {
        try {
          Interval.parseIp(c);
          return c;
        } catch (IllegalArgumentException e) {
          // not an IPv4 address; try the next
        }
      }
    }
    return null;
  }

  /** Ports of the app containers and of sidecars (init containers that keep running). */
  private static List<NamedPort> ports(Pod p) {
    List<NamedPort> out = new ArrayList<>();
    if (p.getSpec() == null) {
      return out;
    }
    List<Container> containers = new ArrayList<>();
    if (p.getSpec().getContainers() != null) {
      containers.addAll(p.getSpec().getContainers());
    }
    if (p.getSpec().getInitContainers() != null) {
      p.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(containers::add);
    }
    for (Container c : containers) {
      for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        Proto proto = switch (cp.getProtocol() == null ? "TCP" : cp.getProtocol()) {
          case "TCP" -> Proto.TCP;
          case "UDP" -> Proto.UDP;
          case "SCTP" -> Proto.SCTP;
          default -> null;
        };
        Integer port = cp.getContainerPort();
        if (proto != null && port != null && port >= 1 && port <= 65535 && cp.getName() != null) {
          out.add(new NamedPort(cp.getName(), proto, port));
        }
      }
    }
    return out;
  }
}

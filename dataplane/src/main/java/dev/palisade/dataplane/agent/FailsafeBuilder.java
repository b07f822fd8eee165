package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules.Failsafe;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure: what must never be cut on this node, from what the cluster says. This node's own
 * addresses may reach any local pod (kubelet health probes); any pod may reach the API server
 * (its Service's ClusterIP and the endpoints behind it) and the cluster DNS on port 53 (ClusterIP
 * and DNS pods: the forward hook sees the endpoint after DNAT). Without this, one wrong policy in
 * enforce mode could cut a cluster off from its own control plane.
 */
public final class FailsafeBuilder {
  /**
   * @param apiService namespace/name of the API server's Service ("default/kubernetes")
   * @param dnsService namespace/name of the cluster DNS Service ("kube-system/kube-dns")
   */
  public record Config(boolean enabled, String apiService, String dnsService) {
    public static final Config DEFAULT = new Config(true, "default/kubernetes", "kube-system/kube-dns");
    public static final Config OFF = new Config(false, "default/kubernetes", "kube-system/kube-dns");

    public Config {
      for (String ref : List.of(apiService, dnsService)) {
        if (ref == null || ref.split("/").length != 2) {
          throw new IllegalArgumentException("failsafe service must be namespace/name, not " + ref);
        }
      }
    }

    /** The namespaces whose Services and EndpointSlices the agent must watch. */
    public Set<String> namespaces() {
      return Set.of(apiService.split("/")[0], dnsService.split("/")[0]);
    }
  }

  private FailsafeBuilder() {}

  public static Failsafe build(Config config, String nodeName, List<Node> nodes, List<Service> services,
      List<EndpointSlice> slices) {
    if (!config.enabled()) {
      return Failsafe.NONE;
    }
    Set<Interval> sources = new HashSet<>();
    for (Node n : nodes) {
      if (n.getMetadata() != null && nodeName.equals(n.getMetadata().getName()) && n.getStatus() != null
          && n.getStatus().getAddresses() != null) {
        for (NodeAddress a : n.getStatus().getAddresses()) {
          ipv4(a.getAddress()).ifPresent(sources::add);
        }
      }
    }
    Set<AllowRect> destinations = new HashSet<>();
    service(config.apiService(), null, services, slices, destinations);
    service(config.dnsService(), 53, services, slices, destinations);
    return new Failsafe(sources, destinations);
  }

  /**
   * The Service's ClusterIP(s) on its ports and its endpoints on their target ports; only
   * {@code onlyPort} when it is set (DNS: 53 on the Service and on the pods, not the metrics port).
   */
  private static void service(String ref, Integer onlyPort, List<Service> services, List<EndpointSlice> slices,
      Set<AllowRect> out) {
    String ns = ref.split("/")[0];
    String name = ref.split("/")[1];
    for (Service s : services) {
      if (!ns.equals(s.getMetadata().getNamespace()) || !name.equals(s.getMetadata().getName()) || s.getSpec() == null) {
        continue;
      }
      List<String> ips = new ArrayList<>();
      if (s.getSpec().getClusterIPs() != null) {
        ips.addAll(s.getSpec().getClusterIPs());
      }
      ips.add(s.getSpec().getClusterIP());
      for (ServicePort p : s.getSpec().getPorts() == null ? List.<ServicePort>of() : s.getSpec().getPorts()) {
        if (p.getPort() != null && (onlyPort == null || onlyPort.equals(p.getPort()))) {
          for (String ip : ips) {
            add(ip, p.getProtocol(), p.getPort(), out);
          }
        }
      }
    }
    for (EndpointSlice slice : slices) {
      var labels = slice.getMetadata().getLabels();
      if (!ns.equals(slice.getMetadata().getNamespace()) || labels == null
          || !name.equals(labels.get("kubernetes.io/service-name"))) {
        continue;
      }
      for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
        if (p.getPort() == null || (onlyPort != null && !onlyPort.equals(p.getPort()))) {
          continue;
        }
        for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
          for (String ip : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
            add(ip, p.getProtocol(), p.getPort(), out);
          }
        }
      }
    }
  }

  private static void add(String ip, String protocol, int port, Set<AllowRect> out) {
    AllowRect.Proto proto;
    try {
      proto = AllowRect.Proto.valueOf(protocol == null ? "TCP" : protocol);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (port < 1 || port > 65535) {
      return;
    }
    ipv4(ip).ifPresent(i -> out.add(new AllowRect(i, proto, Interval.port(port))));
  }

  private static java.util.Optional<Interval> ipv4(String ip) {
    if (ip == null || ip.isBlank() || ip.contains(":") || ip.equals("None")) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(Interval.ip(ip));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }
}

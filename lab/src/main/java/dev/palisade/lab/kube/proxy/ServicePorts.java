package dev.palisade.lab.kube.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Pure: what kube-proxy reads from the cluster, Services and their EndpointSlices, turned into
 * the ports it must proxy. A Service port is proxied when the Service has a cluster IP (not
 * headless, not ExternalName); its endpoints are the addresses of every slice of the Service
 * (label {@code kubernetes.io/service-name}) whose endpoint is ready (a missing condition counts as
 * ready, as the API documents), on the slice port of the same name and protocol. Output is sorted,
 * so the same cluster always renders the same text.
 */
public final class ServicePorts {
  static final String SERVICE_NAME = "kubernetes.io/service-name";

  private ServicePorts() {}

  public static List<ProxiedPort> from(List<Service> services, List<EndpointSlice> slices) {
    List<ProxiedPort> out = new ArrayList<>();
    for (Service svc : services) {
      if (svc.getSpec() == null || !hasClusterIp(svc)) {
        continue;
      }
      String ns = svc.getMetadata().getNamespace();
      String name = svc.getMetadata().getName();
      List<EndpointSlice> mine = slices.stream()
          .filter(s -> ns.equals(s.getMetadata().getNamespace()))
          .filter(s -> name.equals(labels(s).get(SERVICE_NAME)))
          .filter(s -> !"IPv6".equals(s.getAddressType()) && !"FQDN".equals(s.getAddressType()))
          .toList();
      for (ServicePort sp : svc.getSpec().getPorts() == null ? List.<ServicePort>of() : svc.getSpec().getPorts()) {
        if (sp.getPort() == null) {
          continue;
        }
        String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
        String portName = sp.getName() == null ? "" : sp.getName();
        // A set: the same pod may be listed by two slices while the controller moves it.
        TreeSet<ProxiedPort.Backend> backends = new TreeSet<>(
            Comparator.comparing((ProxiedPort.Backend b) -> ipKey(b.ip())).thenComparingInt(ProxiedPort.Backend::port));
        for (EndpointSlice slice : mine) {
          Integer target = targetPort(slice, portName, protocol);
          if (target == null) {
            continue;
          }
          for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
            if (!ready(e)) {
              continue;
            }
            for (String ip : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
              backends.add(new ProxiedPort.Backend(ip, target));
            }
          }
        }
        out.add(new ProxiedPort(ns + "/" + name, portName, svc.getSpec().getClusterIP(), protocol, sp.getPort(),
            List.copyOf(backends), nodePort(svc, sp), loadBalancerIps(svc)));
      }
    }
    out.sort(Comparator.comparing(ProxiedPort::service).thenComparing(ProxiedPort::protocol)
        .thenComparingInt(ProxiedPort::port));
    return out;
  }

  /**
   * The port's node port if the Service type has node ports and the port is in the range (the
   * lab's API server does not refuse a bad one, so kube-proxy leaves it out rather than fail).
   */
  static int nodePort(Service svc, ServicePort sp) {
    String type = svc.getSpec().getType();
    Integer p = sp.getNodePort();
    boolean typed = "NodePort".equals(type) || "LoadBalancer".equals(type);
    return typed && p != null && p >= ProxiedPort.NODE_PORT_FIRST && p <= ProxiedPort.NODE_PORT_LAST ? p : 0;
  }

  /** IPv4 addresses of the Service's load balancer, for type LoadBalancer. */
  static List<String> loadBalancerIps(Service svc) {
    if (!"LoadBalancer".equals(svc.getSpec().getType()) || svc.getStatus() == null
        || svc.getStatus().getLoadBalancer() == null || svc.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return svc.getStatus().getLoadBalancer().getIngress().stream()
        .map(i -> i.getIp()).filter(ip -> ip != null && ip.matches("[0-9.]+")).sorted().toList();
  }

  /** A cluster IP kube-proxy can program: set, not "None", IPv4. */
  static boolean hasClusterIp(Service svc) {
    String ip = svc.getSpec().getClusterIP();
    return ip != null && !ip.isEmpty() && !"None".equals(ip) && !ip.contains(":")
        && !"ExternalName".equals(svc.getSpec().getType());
  }

  private static Integer targetPort(EndpointSlice slice, String portName, String protocol) {
    for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
      String pName = p.getName() == null ? "" : p.getName();
      String pProto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (pName.equals(portName) && pProto.equals(protocol) && p.getPort() != null) {
        return p.getPort();
      }
    }
    return null;
  }

  static boolean ready(Endpoint e) {
    return e.getConditions() == null || !Objects.equals(Boolean.FALSE, e.getConditions().getReady());
  }

  private static Map<String, String> labels(EndpointSlice s) {
    return s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
  }

  /** Sorts 10.244.0.9 before 10.244.0.10. */
  private static long ipKey(String ip) {
    long v = 0;
    for (String part : ip.split("\\.")) {
      try {
        v = v * 256 + Integer.parseInt(part);
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    return v;
  }
}

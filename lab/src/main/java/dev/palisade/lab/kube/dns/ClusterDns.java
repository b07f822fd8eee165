package dev.palisade.lab.kube.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Pure: the cluster's DNS zone as Kubernetes' DNS specification writes it, read from Services and
 * EndpointSlices at the moment of the question.
 *
 * <pre>
 *  SVC.NS.svc.cluster.local          A  the cluster IP; for a headless Service the ready endpoints
 *  HOST.SVC.NS.svc.cluster.local     A  the endpoint with that hostname (StatefulSet pods)
 *  A-B-C-D.NS.pod.cluster.local      A  A.B.C.D (CoreDNS "pods insecure")
 *  anything else in cluster.local    NXDOMAIN
 *  any other name                    REFUSED: the lab has no way out, so nothing to forward to
 * </pre>
 *
 * A name that exists answers other query types (AAAA, ...) with no records and NOERROR, so a
 * resolver asking for IPv6 first still goes on to ask for A.
 */
public final class ClusterDns {
  public static final String DOMAIN = "cluster.local";

  /** An answer: its response code and, for NOERROR, the A records (maybe none). */
  public record Answer(int rcode, List<String> addresses) {
    static Answer of(List<String> addresses) {
      return new Answer(DnsMessage.NOERROR, List.copyOf(addresses));
    }

    static final Answer NXDOMAIN = new Answer(DnsMessage.NXDOMAIN, List.of());
    static final Answer REFUSED = new Answer(DnsMessage.REFUSED, List.of());
  }

  private ClusterDns() {}

  /** @param name lower case, no trailing dot */
  public static Answer resolve(String name, int type, List<Service> services, List<EndpointSlice> slices) {
    Answer a = lookup(name, services, slices);
    if (a.rcode() != DnsMessage.NOERROR || type == DnsMessage.TYPE_A || type == DnsMessage.TYPE_ANY) {
      return a;
    }
    return Answer.of(List.of());
  }

  private static Answer lookup(String name, List<Service> services, List<EndpointSlice> slices) {
    if (!name.equals(DOMAIN) && !name.endsWith("." + DOMAIN)) {
      return Answer.REFUSED;
    }
    String inZone = name.equals(DOMAIN) ? "" : name.substring(0, name.length() - DOMAIN.length() - 1);
    String[] l = inZone.isEmpty() ? new String[0] : inZone.split("\\.");
    if (l.length == 3 && l[2].equals("svc")) {
      return service(l[1], l[0], services, slices).orElse(Answer.NXDOMAIN);
    }
    if (l.length == 4 && l[3].equals("svc")) {
      List<String> ips = endpoints(l[2], l[1], slices, l[0]);
      return ips.isEmpty() ? Answer.NXDOMAIN : Answer.of(ips);
    }
    if (l.length == 3 && l[2].equals("pod")) {
      return dashedIp(l[0]).map(ip -> Answer.of(List.of(ip))).orElse(Answer.NXDOMAIN);
    }
    return Answer.NXDOMAIN;
  }

  private static Optional<Answer> service(String ns, String name, List<Service> services, List<EndpointSlice> slices) {
    for (Service s : services) {
      if (!ns.equals(s.getMetadata().getNamespace()) || !name.equals(s.getMetadata().getName()) || s.getSpec() == null) {
        continue;
      }
      String ip = s.getSpec().getClusterIP();
      if ("None".equals(ip)) {
        return Optional.of(Answer.of(endpoints(ns, name, slices, null)));
      }
      // A Service whose cluster IP is not allocated yet has no record yet.
      return ip == null || ip.isEmpty() || ip.contains(":") ? Optional.empty() : Optional.of(Answer.of(List.of(ip)));
    }
    return Optional.empty();
  }

  /** Ready IPv4 endpoints of the Service, only those with this hostname when it is given. */
  private static List<String> endpoints(String ns, String service, List<EndpointSlice> slices, String hostname) {
    TreeSet<String> ips = new TreeSet<>();
    for (EndpointSlice slice : slices) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      if (!ns.equals(slice.getMetadata().getNamespace()) || labels == null
          || !service.equals(labels.get("kubernetes.io/service-name")) || "IPv6".equals(slice.getAddressType())) {
        continue;
      }
      for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        boolean ready = e.getConditions() == null || !Objects.equals(Boolean.FALSE, e.getConditions().getReady());
        if (ready && (hostname == null || hostname.equals(e.getHostname())) && e.getAddresses() != null) {
          ips.addAll(e.getAddresses());
        }
      }
    }
    return new ArrayList<>(ips);
  }

  private static Optional<String> dashedIp(String label) {
    String[] parts = label.split("-");
    if (parts.length != 4) {
      return Optional.empty();
    }
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
        return Optional.empty();
      }
    }
    return Optional.of(String.join(".", parts));
  }
}

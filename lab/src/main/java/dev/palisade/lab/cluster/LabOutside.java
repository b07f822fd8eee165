package dev.palisade.lab.cluster;

import dev.palisade.lab.net.DnsLookup;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.OutsideNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.lab.scenario.ScenarioTarget.Endpoint;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A scenario's outside (SCHEMA.md, "The outside") on a {@link Lab}: its hosts in the lab's
 * {@link OutsideNetwork}, its DNS names in the cluster DNS's outside zone, and the endpoint forms
 * that reach across the edge, so {@link LabScenarioTarget} only hands these over:
 * <ul>
 *   <li>{@code outside/HOST} as a destination is the host's address; as a source, connections
 *       start in the outside namespace from the host's address;</li>
 *   <li>{@code dns:NAME} is resolved by the source pod, in its own namespace, through the cluster
 *       DNS at that moment (the lookup Palisade can watch), then the first address is dialled;</li>
 *   <li>{@code service/NS/NAME} from an outside host is the Service's node port at the address of
 *       the node running its first ready endpoint (so that node's forward hook, where Palisade
 *       judges, sees the outside address before kube-proxy masquerades it).</li>
 * </ul>
 */
final class LabOutside {
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(1);

  private final Lab lab;
  private final OutsideNetwork net;
  /** Name -> TTL, as declared; set-dns keeps the TTL. */
  private final Map<String, Integer> ttls = new LinkedHashMap<>();

  private LabOutside(Lab lab, OutsideNetwork net) {
    this.lab = lab;
    this.net = net;
  }

  /** Creates the lab's outside from the scenario's section and publishes its DNS names. */
  static LabOutside start(Lab lab, Scenario.Outside spec) {
    List<OutsideNetwork.Host> hosts = new ArrayList<>();
    for (Scenario.OutsideHost h : spec.hosts()) {
      hosts.add(new OutsideNetwork.Host(h.name(), h.ip(),
          h.ports().stream().map(p -> new LabNetwork.ServedPort(p.port(), p.protocol())).toList()));
    }
    LabOutside out = new LabOutside(lab, lab.startOutside(hosts));
    for (Scenario.DnsName d : spec.dns()) {
      out.ttls.put(d.name(), d.ttlSeconds());
      out.publish(d.name(), d.answers());
    }
    return out;
  }

  /** Whether the reference is one this class resolves: {@code outside/HOST} or {@code dns:NAME}. */
  static boolean isOutside(String ref) {
    return ref.startsWith("outside/") || ref.startsWith("dns:");
  }

  /** Step set-dns: the name answers with these hosts' addresses from now on. */
  void setDns(Step step) {
    String name = String.valueOf(step.fields().get("name"));
    if (!ttls.containsKey(name)) {
      throw new ScenarioException(step.describe() + ": " + name + " is not a name of outside.dns");
    }
    Object answers = step.fields().get("answers");
    if (!(answers instanceof List<?> list)) {
      throw new ScenarioException(step.describe() + ": answers must be a list of host names");
    }
    publish(name, list.stream().map(String::valueOf).toList());
  }

  private void publish(String name, List<String> hosts) {
    lab.outsideZone().set(name, hosts.stream().map(net::ipOf).toList(), ttls.get(name));
  }

  /** Where a connection from {@code src} to {@code dst} goes, when either end is beyond the edge. */
  Endpoint dial(String src, String dst, int port, String protocol) {
    if (dst.startsWith("outside/")) {
      return new Endpoint(hostIp(dst), port);
    }
    if (dst.startsWith("dns:")) {
      if (src.startsWith("outside/")) {
        throw new ScenarioException(src + " -> " + dst + ": an outside host has no cluster DNS to resolve with");
      }
      String name = dst.substring("dns:".length());
      List<String> answer;
      try {
        answer = DnsLookup.resolve(lab.network().pod(src).ns(), name, LOOKUP_TIMEOUT);
      } catch (IllegalStateException e) {
        throw new ScenarioException(src + " cannot resolve " + name + ": " + e.getMessage());
      }
      if (answer.isEmpty()) {
        throw new ScenarioException(src + " resolved " + name + " to no address");
      }
      return new Endpoint(answer.get(0), port);
    }
    if (dst.startsWith("service/") && src.startsWith("outside/")) {
      String[] p = dst.split("/");
      return nodePort(p[1], p[2], port, protocol);
    }
    throw new ScenarioException(src + " -> " + dst + ": an outside host reaches pods only through a Service's node port");
  }

  /** The node address and node port an outside client dials for this Service port. */
  private Endpoint nodePort(String namespace, String name, int port, String protocol) {
    Service svc = lab.client().services().inNamespace(namespace).withName(name).get();
    if (svc == null) {
      throw new ScenarioException("no service " + namespace + "/" + name);
    }
    ServicePort sp = svc.getSpec().getPorts().stream()
        .filter(p -> p.getPort() == port && Objects.equals(p.getProtocol() == null ? "TCP" : p.getProtocol(), protocol))
        .findFirst().orElseThrow(() -> new ScenarioException("service " + namespace + "/" + name + " has no port "
            + port + "/" + protocol));
    if (sp.getNodePort() == null || sp.getNodePort() == 0) {
      throw new ScenarioException("service " + namespace + "/" + name + " (type " + svc.getSpec().getType()
          + ") has no node port for " + port + "/" + protocol + ": outside hosts reach NodePort and LoadBalancer "
          + "Services only");
    }
    return new Endpoint(lab.network().node(endpointNode(namespace, name)).uplinkIp(), sp.getNodePort());
  }

  /** The index of the node running the Service's first ready endpoint; node 0 when it has none. */
  private int endpointNode(String namespace, String service) {
    for (EndpointSlice slice : lab.client().discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service).list().getItems()) {
      for (var e : slice.getEndpoints() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of()
          : slice.getEndpoints()) {
        boolean ready = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        String node = e.getNodeName();
        if (ready && node != null && node.startsWith("lab-node-")) {
          return Integer.parseInt(node.substring("lab-node-".length()));
        }
      }
    }
    return 0;
  }

  /** A connection from an outside host, from its own address. */
  boolean connect(String src, String ip, int port, String protocol, boolean measurement) {
    return Prober.connect(net.ns(), hostIp(src), ip, port, protocol, Prober.DEFAULT_TIMEOUT, measurement);
  }

  /**
   * The name a learned edge's outside end has in the controller's review API: {@code dns:NAME} as
   * written, {@code outside/HOST} by its address.
   */
  String vertex(String ref) {
    return ref.startsWith("outside/") ? hostIp(ref) : ref;
  }

  private String hostIp(String ref) {
    try {
      return net.ipOf(ref.substring("outside/".length()));
    } catch (IllegalArgumentException e) {
      throw new ScenarioException(e.getMessage());
    }
  }
}

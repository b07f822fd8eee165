package dev.palisade.lab.kube.proxy;

import java.util.List;

/**
 * One port of one Service as kube-proxy programs it: the cluster IP, protocol and port clients
 * dial, and the ready endpoints (pod IP and target port) a new connection is sent to. No
 * endpoints means connections are refused.
 *
 * @param service namespace/name of the Service
 * @param portName the Service port's name ("" when it has one unnamed port)
 * @param protocol "TCP", "UDP" or "SCTP"
 * @param nodePort the port every node's address forwards to the endpoints (NodePort and
 *     LoadBalancer Services), 0 for none
 * @param loadBalancerIps addresses of the Service's load balancer (status.loadBalancer.ingress),
 *     proxied like the cluster IP
 */
public record ProxiedPort(String service, String portName, String clusterIp, String protocol, int port,
    List<Backend> endpoints, int nodePort, List<String> loadBalancerIps) {

  /** A port reachable at its cluster IP only. */
  public ProxiedPort(String service, String portName, String clusterIp, String protocol, int port,
      List<Backend> endpoints) {
    this(service, portName, clusterIp, protocol, port, endpoints, 0, List.of());
  }

  /** A ready endpoint: pod IP and the port it serves the Service port on. */
  public record Backend(String ip, int port) {
    public Backend {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("endpoint port must be 1..65535, not " + port + " (" + ip + ")");
      }
    }

    @Override
    public String toString() {
      return ip + ":" + port;
    }
  }

  public ProxiedPort {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("service port must be 1..65535, not " + port + " (" + service + ")");
    }
    if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) {
      throw new IllegalArgumentException("protocol must be TCP, UDP or SCTP, not " + protocol + " (" + service + ")");
    }
    endpoints = List.copyOf(endpoints);
    if (nodePort != 0 && (nodePort < NODE_PORT_FIRST || nodePort > NODE_PORT_LAST)) {
      throw new IllegalArgumentException("node port must be " + NODE_PORT_FIRST + ".." + NODE_PORT_LAST + ", not "
          + nodePort + " (" + service + ")");
    }
    loadBalancerIps = List.copyOf(loadBalancerIps);
  }

  /** The API server's default node port range (--service-node-port-range). */
  public static final int NODE_PORT_FIRST = 30000;
  public static final int NODE_PORT_LAST = 32767;

  /** "ns/name:portName/protocol", or "ns/name:port/protocol" for an unnamed port. */
  public String label() {
    return service + ":" + (portName.isEmpty() ? String.valueOf(port) : portName) + "/" + protocol;
  }
}

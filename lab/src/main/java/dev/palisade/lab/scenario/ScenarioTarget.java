package dev.palisade.lab.scenario;

import dev.palisade.lab.scenario.Scenario.Step;
import java.util.List;

/**
 * What the runner needs from a cluster: the lab implements it on real namespaces and nftables.
 * Methods are called from the runner's thread, except {@link #probe}, which may be called from
 * several threads at once.
 */
public interface ScenarioTarget extends AutoCloseable {
  /** Brings up the scenario's nodes, namespaces, pods and manifests; returns once pods are ready. */
  void setUp(Scenario scenario);

  /**
   * What a reference names, one entry per connection end: pods (ns/name) for {@code ns/pod} or
   * {@code workload/NS/KIND/NAME}; the reference itself for one that is a single end
   * ({@code service/NS/NAME}, {@code outside/HOST}, {@code dns:NAME}) where the target has them.
   */
  List<String> resolvePods(String ref);

  /** The pod's current IP. */
  String podIp(String pod);

  /**
   * A ready endpoint of a service for the given service port, as {ip, targetPort}; the lab has no
   * kube-proxy, so the runner dials an endpoint pod directly.
   */
  Endpoint serviceEndpoint(String namespace, String service, int port, String protocol);

  record Endpoint(String ip, int port) {}

  /**
   * Where a new connection from {@code src} (an entry of {@link #resolvePods}) to {@code dst}
   * (likewise) on this port goes, worked out now: a {@code dns:NAME} is resolved at this moment
   * as {@code src} would resolve it. By default a Service is dialled at an endpoint and anything
   * else at its pod IP.
   */
  default Endpoint dial(String src, String dst, int port, String protocol) {
    if (dst.startsWith("service/")) {
      String[] parts = dst.split("/");
      return serviceEndpoint(parts[1], parts[2], port, protocol);
    }
    return new Endpoint(podIp(dst), port);
  }

  /**
   * A measurement: a new connection from the pod (or {@code outside/HOST}) to ip:port; true if it connected (TCP) or echoed
   * (UDP) in 1 s. Probes are not application traffic and must not be learned.
   */
  boolean probe(String fromPod, String ip, int port, String protocol);

  /** Application traffic (a traffic step): like a probe, but what learning is meant to see. */
  default boolean connect(String fromPod, String ip, int port, String protocol) {
    return probe(fromPod, ip, port, protocol);
  }

  /**
   * Carries out a step other than traffic and wait (placeholders already substituted).
   *
   * @throws UnsupportedStepException if the lab cannot do this yet: the scenario fails, loudly
   */
  void perform(Step step);

  /** Blocks until the dataplane enforces everything the steps so far changed. */
  void awaitConverged();

  @Override
  void close();

  /** A step the lab cannot carry out yet; the message says what is missing. */
  final class UnsupportedStepException extends RuntimeException {
    public UnsupportedStepException(String message) {
      super(message);
    }
  }
}

package dev.palisade.lab.scenario;

import java.util.List;
import java.util.Map;

/**
 * One palisade-scenario/v1 file (see shared/scenarios/SCHEMA.md), parsed. Values only; the
 * {@link ScenarioParser} checks them and {@link ScenarioRunner} executes them.
 */
public record Scenario(
    String file,
    String id,
    String name,
    int nodes,
    List<TopologyNamespace> namespaces,
    List<TopologyPod> pods,
    String manifests,
    Outside outside,
    List<Step> steps) {

  public String title() {
    return (id.isEmpty() ? "" : id + " ") + name;
  }

  public record TopologyNamespace(String name, Map<String, String> labels) {}

  public record TopologyPod(
      String namespace, String name, Map<String, String> labels, String syntheticIp, Integer node,
      List<ContainerPort> containerPorts) {
    public String ref() {
      return namespace + "/" + name;
    }
  }

  public record ContainerPort(String name, int port, String protocol) {}

  /** Hosts beyond the cluster edge and the DNS names that answer with them (SCHEMA.md, the outside). */
  public record Outside(List<OutsideHost> hosts, List<DnsName> dns) {
    public static final Outside NONE = new Outside(List.of(), List.of());

    public boolean isEmpty() {
      return hosts.isEmpty() && dns.isEmpty();
    }
  }

  /** A host outside the cluster serving these ports (TCP / UDP echo) on its address. */
  public record OutsideHost(String name, String ip, List<Port> ports) {}

  public record Port(int port, String protocol) {}

  /** A name the cluster DNS answers with the addresses of these outside hosts. */
  public record DnsName(String name, int ttlSeconds, List<String> answers) {}

  /**
   * A step: its action with its fields as plain values (checked by the parser against the schema;
   * carried out by the runner, which knows which actions the lab supports so far), and the probes
   * to run after it.
   */
  public record Step(int number, String action, Map<String, Object> fields, List<Probe> probes) {
    public String describe() {
      return describe(number, action);
    }

    /** How runner and parser name a step in what they report: "step 3 (create-policy)". */
    public static String describe(int number, String action) {
      return "step " + number + " (" + action + ")";
    }
  }

  /** A probe matrix: rows are sources, columns destinations; cells '.', 'X' or '-'. */
  public record Probe(int port, String protocol, List<String> columns, Map<String, String> rows) {}
}

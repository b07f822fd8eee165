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

  /**
   * A step: its action with the raw fields (actions are interpreted by the runner, which knows
   * which ones the lab supports so far), and the probes to run after it.
   */
  public record Step(int number, String action, Map<String, Object> fields, List<Probe> probes) {
    public String describe() {
      return "step " + number + " (" + action + ")";
    }
  }

  /** A probe matrix: rows are sources, columns destinations; cells '.', 'X' or '-'. */
  public record Probe(int port, String protocol, List<String> columns, Map<String, String> rows) {}
}

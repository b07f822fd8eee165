package dev.palisade.lab.scenario;

import dev.palisade.lab.scenario.Scenario.ContainerPort;
import dev.palisade.lab.scenario.Scenario.Probe;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.Scenario.TopologyNamespace;
import dev.palisade.lab.scenario.Scenario.TopologyPod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads palisade-scenario/v1 (and netpol-conformance-case/v1, the same format) from YAML. Every
 * error names the file and the path of the offending field, so a scenario author can fix it
 * without reading the runner.
 */
public final class ScenarioParser {
  public static final Set<String> SCHEMAS = Set.of("palisade-scenario/v1", "netpol-conformance-case/v1");
  static final Set<String> ACTIONS = Set.of("create-policy", "update-policy", "delete-policy",
      "delete-all-policies", "set-pod-labels", "set-namespace-labels", "apply", "delete", "set-mode",
      "traffic", "approve-learned", "reject-learned", "wait");

  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private ScenarioParser() {}

  public static Scenario parse(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ScenarioException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.toString(), text);
  }

  public static Scenario parse(String file, String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JacksonException e) {
      throw new ScenarioException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ScenarioException(file + ": expected a YAML mapping at the top level");
    }
    Ctx c = new Ctx(file);
    String schema = c.text(root, "schema", true);
    if (!SCHEMAS.contains(schema)) {
      throw c.error("schema", "unknown schema '" + schema + "'; expected one of " + SCHEMAS);
    }
    String id = c.text(root, "id", false);
    String name = c.text(root, "name", true);
    int nodes = root.has("nodes") ? c.integer(root.get("nodes"), "nodes", 1, 50) : 1;

    List<TopologyNamespace> namespaces = new ArrayList<>();
    List<TopologyPod> pods = new ArrayList<>();
    JsonNode topo = root.get("topology");
    if (topo != null && !topo.isNull()) {
      for (int i = 0; topo.has("namespaces") && i < topo.get("namespaces").size(); i++) {
        JsonNode ns = topo.get("namespaces").get(i);
        String where = "topology.namespaces[" + i + "]";
        namespaces.add(new TopologyNamespace(c.text(ns, "name", true, where), c.labels(ns.get("labels"), where + ".labels")));
      }
      for (int i = 0; topo.has("pods") && i < topo.get("pods").size(); i++) {
        pods.add(pod(c, topo.get("pods").get(i), "topology.pods[" + i + "]", nodes));
      }
    }
    String manifests = root.has("manifests") ? c.text(root, "manifests", false) : "";
    if (pods.isEmpty() && namespaces.isEmpty() && manifests.isBlank()) {
      throw c.error("topology", "a scenario needs a topology or manifests");
    }

    List<Step> steps = new ArrayList<>();
    JsonNode stepsNode = root.get("steps");
    if (stepsNode != null && !stepsNode.isNull()) {
      if (!stepsNode.isArray()) {
        throw c.error("steps", "expected a list");
      }
      for (int i = 0; i < stepsNode.size(); i++) {
        steps.add(step(c, stepsNode.get(i), "steps[" + i + "]"));
      }
    }
    return new Scenario(file, id == null ? "" : id, name, nodes, List.copyOf(namespaces), List.copyOf(pods),
        manifests, List.copyOf(steps));
  }

  private static TopologyPod pod(Ctx c, JsonNode p, String where, int nodes) {
    String ns = c.text(p, "namespace", false, where);
    String name = c.text(p, "name", false, where);
    String ref = c.text(p, "ref", false, where);
    if ((ns == null || name == null) && ref != null && ref.contains("/")) {
      ns = ref.substring(0, ref.indexOf('/'));
      name = ref.substring(ref.indexOf('/') + 1);
    }
    if (ns == null || name == null) {
      throw c.error(where, "a pod needs namespace and name (or ref: ns/name)");
    }
    if (ref != null && !ref.equals(ns + "/" + name)) {
      throw c.error(where + ".ref", "'" + ref + "' does not match namespace/name " + ns + "/" + name);
    }
    Integer node = p.has("node") ? c.integer(p.get("node"), where + ".node", 0, nodes - 1) : null;
    List<ContainerPort> ports = new ArrayList<>();
    JsonNode cps = p.get("container_ports");
    for (int i = 0; cps != null && i < cps.size(); i++) {
      JsonNode cp = cps.get(i);
      String w = where + ".container_ports[" + i + "]";
      String proto = cp.has("protocol") ? c.protocol(cp.get("protocol").asString(), w + ".protocol") : "TCP";
      ports.add(new ContainerPort(c.text(cp, "name", false, w), c.integer(cp.get("port"), w + ".port", 1, 65535), proto));
    }
    String ip = c.text(p, "synthetic_ip", false, where);
    return new TopologyPod(ns, name, c.labels(p.get("labels"), where + ".labels"), ip, node, List.copyOf(ports));
  }

  private static Step step(Ctx c, JsonNode s, String where) {
    if (!s.isObject()) {
      throw c.error(where, "expected a mapping with step and action");
    }
    int number = s.has("step") ? c.integer(s.get("step"), where + ".step", 0, Integer.MAX_VALUE) : 0;
    String action = c.text(s, "action", true, where);
    if (!ACTIONS.contains(action)) {
      throw c.error(where + ".action", "unknown action '" + action + "'; expected one of " + ACTIONS);
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (var e : s.properties()) {
      if (!e.getKey().equals("step") && !e.getKey().equals("action") && !e.getKey().equals("then_probe")) {
        fields.put(e.getKey(), YAML.convertValue(e.getValue(), Object.class));
      }
    }
    List<Probe> probes = new ArrayList<>();
    JsonNode tp = s.get("then_probe");
    for (int i = 0; tp != null && i < tp.size(); i++) {
      probes.add(probe(c, tp.get(i), where + ".then_probe[" + i + "]"));
    }
    return new Step(number, action, fields, List.copyOf(probes));
  }

  private static Probe probe(Ctx c, JsonNode p, String where) {
    int port = c.integer(p.get("port"), where + ".port", 1, 65535);
    String proto = p.has("protocol") ? c.protocol(p.get("protocol").asString(), where + ".protocol") : "TCP";
    JsonNode expected = p.get("expected");
    if (expected == null || !expected.has("columns") || !expected.has("rows")) {
      throw c.error(where + ".expected", "needs columns and rows");
    }
    List<String> columns = new ArrayList<>();
    expected.get("columns").forEach(n -> columns.add(n.asString()));
    Map<String, String> rows = new LinkedHashMap<>();
    for (var e : expected.get("rows").properties()) {
      String cells = e.getValue().asString();
      String[] parts = cells.trim().split("\\s+");
      if (parts.length != columns.size()) {
        throw c.error(where + ".expected.rows." + e.getKey(),
            "'" + cells + "' has " + parts.length + " cells but there are " + columns.size() + " columns");
      }
      for (String cell : parts) {
        if (!cell.equals(".") && !cell.equals("X") && !cell.equals("-")) {
          throw c.error(where + ".expected.rows." + e.getKey(), "cell '" + cell + "' must be '.', 'X' or '-'");
        }
      }
      rows.put(e.getKey(), String.join(" ", parts));
    }
    return new Probe(port, proto, List.copyOf(columns), rows);
  }

  /** Error helpers bound to one file. */
  private record Ctx(String file) {
    ScenarioException error(String where, String what) {
      return new ScenarioException(file + ": " + where + ": " + what);
    }

    String text(JsonNode node, String field, boolean required) {
      return text(node, field, required, "");
    }

    String text(JsonNode node, String field, boolean required, String where) {
      String path = where.isEmpty() ? field : where + "." + field;
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        if (required) throw error(path, "missing");
        return null;
      }
      if (!v.isValueNode()) {
        throw error(path, "expected a scalar, got " + v.getNodeType());
      }
      return v.asString();
    }

    int integer(JsonNode v, String path, int min, int max) {
      if (v == null || !(v.isIntegralNumber() || (v.isString() && v.asString().matches("-?\\d+")))) {
        throw error(path, "expected an integer" + (v == null ? " (missing)" : ", got '" + v.asString() + "'"));
      }
      int i = v.isIntegralNumber() ? v.asInt() : Integer.parseInt(v.asString());
      if (i < min || i > max) {
        throw error(path, i + " is out of range " + min + ".." + max);
      }
      return i;
    }

    String protocol(String p, String path) {
      if (!Set.of("TCP", "UDP", "SCTP").contains(p)) {
        throw error(path, "unknown protocol '" + p + "'; expected TCP, UDP or SCTP");
      }
      return p;
    }

    Map<String, String> labels(JsonNode node, String path) {
      Map<String, String> labels = new LinkedHashMap<>();
      if (node == null || node.isNull()) {
        return labels;
      }
      if (!node.isObject()) {
        throw error(path, "expected a mapping of label keys to values");
      }
      for (var e : node.properties()) {
        labels.put(e.getKey(), e.getValue().asString());
      }
      return labels;
    }
  }
}

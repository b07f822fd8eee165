package dev.palisade.lab.scenario;

import dev.palisade.lab.scenario.Scenario.ContainerPort;
import dev.palisade.lab.scenario.Scenario.DnsName;
import dev.palisade.lab.scenario.Scenario.Outside;
import dev.palisade.lab.scenario.Scenario.OutsideHost;
import dev.palisade.lab.scenario.Scenario.Port;
import dev.palisade.lab.scenario.Scenario.TopologyNamespace;
import dev.palisade.lab.scenario.Scenario.TopologyPod;
import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads palisade-scenario/v1 (and netpol-conformance-case/v1, the same format) as
 * shared/scenarios/SCHEMA.md defines it. The text is YAML as tools write it (aliases, merge keys,
 * any style: {@link YamlReader}); its meaning is read strictly: an unknown key, a missing required
 * field or a value of the wrong form is an error naming the file, the step and the field. Keys
 * starting with {@code x-} are ignored at every level, and {@code source}, {@code covers} and
 * {@code notes} at the top. Embedded Kubernetes objects (policies, manifests) are free-form here:
 * the lab's API server judges them. Steps: {@link StepParser}.
 */
public final class ScenarioParser {
  public static final Set<String> SCHEMAS = Set.of("palisade-scenario/v1", "netpol-conformance-case/v1");
  private static final List<String> TOP = List.of("schema", "id", "name", "source", "covers", "nodes", "topology",
      "manifests", "outside", "steps", "notes");
  /** Outside hosts' addresses come from the documentation ranges (RFC 5737) the lab routes nowhere. */
  private static final Pattern OUTSIDE_IP = Pattern.compile("(198\\.51\\.100|203\\.0\\.113)\\." + Fields.OCTET);
  private static final Pattern IPV4 = Pattern.compile(Fields.IPV4);

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
    Loc top = Loc.top(file);
    JsonNode root;
    try {
      root = YamlReader.readOne(yaml);
    } catch (InvalidYamlException e) {
      throw top.error("not valid YAML: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw top.error("expected a YAML mapping at the top level, got " + Fields.describe(root));
    }
    Fields f = Fields.of(root, top, TOP);
    String schema = f.text("schema");
    if (!SCHEMAS.contains(schema)) {
      throw f.at("schema").error("unknown schema '" + schema + "'; expected one of " + SCHEMAS);
    }
    String id = f.optText("id");
    String name = f.text("name");
    int nodes = f.has("nodes") ? f.integer("nodes", 1, 50) : 1;

    List<TopologyNamespace> namespaces = new ArrayList<>();
    List<TopologyPod> pods = new ArrayList<>();
    if (f.has("topology")) {
      Fields topo = Fields.of(f.opt("topology"), f.at("topology"), List.of("namespaces", "pods"));
      if (topo.has("namespaces")) {
        List<JsonNode> items = topo.items("namespaces");
        for (int i = 0; i < items.size(); i++) {
          namespaces.add(namespace(items.get(i), topo.at("namespaces").at(i), namespaces));
        }
      }
      if (topo.has("pods")) {
        List<JsonNode> items = topo.items("pods");
        for (int i = 0; i < items.size(); i++) {
          pods.add(pod(items.get(i), topo.at("pods").at(i), nodes, pods));
        }
      }
    }
    String manifests = f.has("manifests") ? StepParser.manifests(f.opt("manifests"), f.at("manifests")) : "";
    if (pods.isEmpty() && namespaces.isEmpty() && manifests.isBlank()) {
      throw f.at("topology").error("a scenario needs a topology or manifests");
    }
    Outside outside = f.has("outside") ? outside(Fields.of(f.opt("outside"), f.at("outside"), List.of("hosts", "dns")))
        : Outside.NONE;
    Set<String> hosts = new LinkedHashSet<>();
    outside.hosts().forEach(h -> hosts.add(h.name()));
    Set<String> dnsNames = new LinkedHashSet<>();
    outside.dns().forEach(d -> dnsNames.add(d.name()));
    var steps = new StepParser(hosts, dnsNames).steps(f.req("steps"), f.at("steps"));
    return new Scenario(file, id == null ? "" : id, name, nodes, List.copyOf(namespaces), List.copyOf(pods),
        manifests, outside, List.copyOf(steps));
  }

  private static TopologyNamespace namespace(JsonNode node, Loc loc, List<TopologyNamespace> earlier) {
    Fields n = Fields.of(node, loc, List.of("name", "labels"));
    String name = n.text("name");
    if (earlier.stream().anyMatch(e -> e.name().equals(name))) {
      throw n.at("name").error("namespace " + name + " is listed twice");
    }
    return new TopologyNamespace(name, n.has("labels") ? Fields.labels(n.opt("labels"), n.at("labels")) : Map.of());
  }

  private static TopologyPod pod(JsonNode item, Loc loc, int nodes, List<TopologyPod> earlier) {
    Fields p = Fields.of(item, loc, List.of("ref", "namespace", "name", "labels", "synthetic_ip", "node", "container_ports"));
    String ns = p.optText("namespace");
    String name = p.optText("name");
    String ref = p.optText("ref");
    if ((ns == null || name == null) && ref != null && ref.contains("/")) {
      ns = ns == null ? ref.substring(0, ref.indexOf('/')) : ns;
      name = name == null ? ref.substring(ref.indexOf('/') + 1) : name;
    }
    if (ns == null || name == null) {
      throw loc.error("a pod needs namespace and name (or ref: ns/name)");
    }
    if (ref != null && !ref.equals(ns + "/" + name)) {
      throw p.at("ref").error("'" + ref + "' does not match namespace/name " + ns + "/" + name);
    }
    String key = ns + "/" + name;
    if (earlier.stream().anyMatch(e -> e.ref().equals(key))) {
      throw loc.error("pod " + key + " is listed twice");
    }
    Integer node = p.has("node") ? p.integer("node", 0, nodes - 1) : null;
    List<ContainerPort> ports = new ArrayList<>();
    if (p.has("container_ports")) {
      List<JsonNode> items = p.items("container_ports");
      for (int i = 0; i < items.size(); i++) {
        Fields cp = Fields.of(items.get(i), p.at("container_ports").at(i), List.of("name", "port", "protocol"));
        ports.add(new ContainerPort(cp.optText("name"), cp.integer("port", 1, 65535), cp.protocol("protocol")));
      }
    }
    String ip = p.optText("synthetic_ip");
    if (ip != null && !IPV4.matcher(ip).matches()) {
      throw p.at("synthetic_ip").error("'" + ip + "' is not an IPv4 address");
    }
    Map<String, String> labels = p.has("labels") ? Fields.labels(p.opt("labels"), p.at("labels")) : Map.of();
    return new TopologyPod(ns, name, labels, ip, node, List.copyOf(ports));
  }

  private static Outside outside(Fields o) {
    Map<String, OutsideHost> hosts = new LinkedHashMap<>();
    if (o.has("hosts")) {
      List<JsonNode> items = o.items("hosts");
      for (int i = 0; i < items.size(); i++) {
        Fields h = Fields.of(items.get(i), o.at("hosts").at(i), List.of("name", "ip", "ports"));
        String name = h.text("name");
        String ip = h.text("ip");
        if (!OUTSIDE_IP.matcher(ip).matches()) {
          throw h.at("ip").error("'" + ip + "' is not an address of 198.51.100.0/24 or 203.0.113.0/24");
        }
        if (hosts.values().stream().anyMatch(other -> other.ip().equals(ip))) {
          throw h.at("ip").error(ip + " is the address of another host too");
        }
        List<Port> ports = new ArrayList<>();
        List<JsonNode> ps = h.items("ports");
        for (int j = 0; j < ps.size(); j++) {
          Fields port = Fields.of(ps.get(j), h.at("ports").at(j), List.of("port", "protocol"));
          ports.add(new Port(port.integer("port", 1, 65535), port.protocol("protocol")));
        }
        if (hosts.put(name, new OutsideHost(name, ip, List.copyOf(ports))) != null) {
          throw h.at("name").error("host " + name + " is listed twice");
        }
      }
    }
    Map<String, DnsName> dns = new LinkedHashMap<>();
    if (o.has("dns")) {
      List<JsonNode> items = o.items("dns");
      for (int i = 0; i < items.size(); i++) {
        Fields d = Fields.of(items.get(i), o.at("dns").at(i), List.of("name", "ttl", "answers"));
        String name = d.text("name");
        int ttl = d.integer("ttl", 0, 86_400);
        List<String> answers = StepParser.hostNames(d.req("answers"), d.at("answers"), hosts.keySet());
        if (dns.put(name, new DnsName(name, ttl, List.copyOf(answers))) != null) {
          throw d.at("name").error("DNS name " + name + " is listed twice");
        }
      }
    }
    return new Outside(List.copyOf(hosts.values()), List.copyOf(dns.values()));
  }
}

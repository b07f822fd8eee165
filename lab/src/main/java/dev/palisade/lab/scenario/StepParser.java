package dev.palisade.lab.scenario;

import dev.palisade.lab.scenario.Scenario.Probe;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import dev.palisade.model.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Reads the steps of a scenario against SCHEMA.md's steps table: every action with exactly the
 * fields it takes, each checked for its form (an endpoint reference, a mode, a protocol...), and the
 * probes after it. The parser accepts every action the schema defines; whether the lab can carry
 * one out yet is the runner's business ("not supported yet").
 */
final class StepParser {
  /** Keys every step may have, beside its action's own. */
  private static final List<String> COMMON = List.of("step", "action", "then_probe");
  /** Each action and its own keys, in the schema's order. */
  static final Map<String, List<String>> ACTIONS;

  static {
    Map<String, List<String>> a = new LinkedHashMap<>();
    a.put("create-policy", List.of("policy"));
    a.put("update-policy", List.of("policy"));
    a.put("delete-policy", List.of("kind", "namespace", "name"));
    a.put("delete-all-policies", List.of());
    a.put("set-pod-labels", List.of("pod", "labels"));
    a.put("set-namespace-labels", List.of("namespace", "labels"));
    a.put("apply", List.of("manifests"));
    a.put("delete", List.of("kind", "namespace", "name"));
    a.put("set-mode", List.of("target", "mode"));
    a.put("traffic", List.of("flows"));
    a.put("approve-learned", List.of("only"));
    a.put("reject-learned", List.of("only"));
    a.put("wait", List.of("seconds"));
    a.put("set-dns", List.of("name", "answers"));
    ACTIONS = Collections.unmodifiableMap(a);
  }

  /** The policy kinds a policy step may name (SCHEMA.md, cluster-wide policies). */
  static final List<String> POLICY_KINDS = java.util.stream.Stream.concat(java.util.stream.Stream.of("NetworkPolicy"),
      dev.palisade.model.cnp.ClusterPolicyKind.ALL.stream().map(dev.palisade.model.cnp.ClusterPolicyKind::kind)).toList();
  private static final Pattern MODE_TARGET = Pattern.compile("namespace/[^/\\s]+|workload/[^/\\s]+/[^/\\s]+/[^/\\s]+");

  /** The forms of an endpoint reference (SCHEMA.md: traffic, probes, the outside). */
  enum Ref {
    POD("ns/pod"), WORKLOAD("workload/NS/KIND/NAME"), SERVICE("service/NS/NAME"), OUTSIDE("outside/HOST"),
    DNS("dns:NAME"), ADDRESS("an IPv4 address or CIDR");

    private static final Pattern ADDRESS_OR_CIDR = Pattern.compile(Fields.IPV4 + "(/([0-9]|[12]\\d|3[0-2]))?");
    final String form;

    Ref(String form) {
      this.form = form;
    }

    /** The form of a reference, or null if it has none. */
    static Ref of(String ref) {
      if (ref.startsWith("dns:")) {
        return ref.length() > 4 && !ref.matches(".*[\\s/].*") ? DNS : null;
      }
      if (ADDRESS_OR_CIDR.matcher(ref).matches()) {
        return ADDRESS;
      }
      String[] parts = ref.split("/", -1);
      if (Arrays.stream(parts).anyMatch(p -> p.isEmpty() || p.matches(".*\\s.*"))) {
        return null;
      }
      return switch (parts[0]) {
        case "workload" -> parts.length == 4 ? WORKLOAD : null;
        case "service" -> parts.length == 3 ? SERVICE : null;
        case "outside" -> parts.length == 2 ? OUTSIDE : null;
        default -> parts.length == 2 ? POD : null;
      };
    }
  }

  private static final Set<Ref> SOURCES = EnumSet.of(Ref.POD, Ref.WORKLOAD, Ref.OUTSIDE);
  private static final Set<Ref> DESTINATIONS = EnumSet.of(Ref.POD, Ref.WORKLOAD, Ref.SERVICE, Ref.OUTSIDE, Ref.DNS);
  /** Learned edges name outside peers by dns:NAME, address or CIDR. */
  private static final Set<Ref> EDGE_SOURCES = EnumSet.of(Ref.POD, Ref.WORKLOAD, Ref.OUTSIDE, Ref.ADDRESS);
  private static final Set<Ref> EDGE_DESTINATIONS = EnumSet.of(Ref.POD, Ref.WORKLOAD, Ref.OUTSIDE, Ref.DNS, Ref.ADDRESS);

  private final Set<String> hosts;
  private final Set<String> dnsNames;

  /** Steps of a scenario whose outside section declares these hosts and DNS names. */
  StepParser(Set<String> hosts, Set<String> dnsNames) {
    this.hosts = hosts;
    this.dnsNames = dnsNames;
  }

  List<Step> steps(JsonNode node, Loc loc) {
    List<JsonNode> items = Fields.items(node, loc);
    if (items.isEmpty()) {
      throw loc.error("a scenario needs at least one step");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      steps.add(step(items.get(i), loc.at(i), steps.isEmpty() ? null : steps.get(steps.size() - 1).number()));
    }
    return steps;
  }

  private Step step(JsonNode s, Loc at, Integer previous) {
    if (s == null || !s.isObject()) {
      throw at.error("expected a mapping with step and action");
    }
    int number = Fields.integer(s.get("step"), at.at("step"), 0, Integer.MAX_VALUE);
    if (previous != null && number <= previous) {
      throw at.at("step").error(number + " does not follow step " + previous + "; steps are numbered in increasing order");
    }
    Loc numbered = at.part("step " + number);
    String action = Fields.text(s.get("action"), numbered.at("action"));
    if (!ACTIONS.containsKey(action)) {
      throw numbered.at("action").error("unknown action '" + action + "'; expected one of "
          + String.join(", ", ACTIONS.keySet()));
    }
    Fields f = Fields.of(s, at.part(Step.describe(number, action)),
        Stream.concat(COMMON.stream(), ACTIONS.get(action).stream()).toList());
    Map<String, Object> fields = fields(action, f);
    List<Probe> probes = new ArrayList<>();
    if (f.has("then_probe")) {
      List<JsonNode> ps = f.items("then_probe");
      for (int i = 0; i < ps.size(); i++) {
        probes.add(probe(ps.get(i), f.at("then_probe").at(i)));
      }
    }
    return new Step(number, action, fields, List.copyOf(probes));
  }

  /** The action's fields, checked, as plain values for the runner. */
  private Map<String, Object> fields(String action, Fields f) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (action) {
      case "create-policy", "update-policy" -> {
        JsonNode policy = f.req("policy");
        if (!policy.isObject()) {
          throw f.at("policy").error("expected a policy object (a mapping), got " + Fields.describe(policy));
        }
        out.put("policy", Fields.plain(policy));
      }
      case "delete-policy" -> {
        String kind = f.optText("kind");
        if (kind != null && !POLICY_KINDS.contains(kind)) {
          throw f.at("kind").error("unknown policy kind '" + kind + "'; expected one of " + String.join(", ", POLICY_KINDS));
        }
        if (kind != null) {
          out.put("kind", kind);
        }
        if (kind == null || kind.equals("NetworkPolicy")) {
          out.put("namespace", f.text("namespace"));
        } else if (f.has("namespace")) {
          throw f.at("namespace").error(kind + " is cluster-scoped: it has no namespace");
        }
        out.put("name", f.text("name"));
      }
      case "delete-all-policies" -> { }
      case "set-pod-labels" -> {
        out.put("pod", ref(f.req("pod"), f.at("pod"), EnumSet.of(Ref.POD)));
        out.put("labels", replacementLabels(f));
      }
      case "set-namespace-labels" -> {
        out.put("namespace", f.text("namespace"));
        out.put("labels", replacementLabels(f));
      }
      case "apply" -> out.put("manifests", manifests(f.req("manifests"), f.at("manifests")));
      case "delete" -> {
        String kind = f.text("kind");
        out.put("kind", kind);
        if (kind.equals("Namespace")) {
          if (f.has("namespace")) {
            throw f.at("namespace").error("a Namespace has no namespace; name it with name:");
          }
        } else {
          out.put("namespace", f.text("namespace"));
        }
        out.put("name", f.text("name"));
      }
      case "set-mode" -> {
        String target = f.text("target");
        if (!MODE_TARGET.matcher(target).matches()) {
          throw f.at("target").error("'" + target + "' is neither namespace/NS nor workload/NS/KIND/NAME");
        }
        String mode = f.text("mode");
        if (Arrays.stream(Mode.values()).noneMatch(m -> m.text().equals(mode))) {
          throw f.at("mode").error("unknown mode '" + mode + "'; expected learn, monitor or enforce");
        }
        out.put("target", target);
        out.put("mode", mode);
      }
      case "traffic" -> out.put("flows", edges(f, "flows", SOURCES, DESTINATIONS, true));
      case "approve-learned" -> {
        if (f.has("only")) {
          out.put("only", edges(f, "only", EDGE_SOURCES, EDGE_DESTINATIONS, false));
        }
      }
      case "reject-learned" -> out.put("only", edges(f, "only", EDGE_SOURCES, EDGE_DESTINATIONS, false));
      case "wait" -> {
        JsonNode s = f.req("seconds");
        if (!s.isNumber() || !Double.isFinite(s.asDouble()) || s.asDouble() < 0) {
          throw f.at("seconds").error("expected a number of seconds (0 or more), got " + Fields.describe(s));
        }
        out.put("seconds", s.numberValue());
      }
      case "set-dns" -> {
        String name = f.text("name");
        if (!dnsNames.contains(name)) {
          throw f.at("name").error("'" + name + "' is not a name of outside.dns" + declared(dnsNames));
        }
        out.put("name", name);
        out.put("answers", hostNames(f.req("answers"), f.at("answers"), hosts));
      }
      default -> throw new IllegalStateException("action " + action + " has no reader");
    }
    return out;
  }

  /** The labels of a set-*-labels step: required, since they replace every label there is. */
  private static Map<String, String> replacementLabels(Fields f) {
    if (!f.has("labels")) {
      throw f.at("labels").error("missing; the step replaces every label with these (write labels: {} to remove all)");
    }
    return Fields.labels(f.req("labels"), f.at("labels"));
  }

  /** Multi-document manifests text; checked to be YAML now so that a typo is found before a lab starts. */
  static String manifests(JsonNode v, Loc loc) {
    if (!v.isString()) {
      throw loc.error("expected multi-document YAML text (manifests: |), got " + Fields.describe(v));
    }
    try {
      YamlReader.readAll(v.asString());
    } catch (InvalidYamlException e) {
      throw loc.error("not valid YAML: " + e.getMessage() + " (counted within the manifests text)");
    }
    return v.asString();
  }

  /** Traffic flows, or the learned edges an approve/reject step names. */
  private List<Map<String, Object>> edges(Fields f, String key, Set<Ref> sources, Set<Ref> destinations,
      boolean counted) {
    List<JsonNode> items = f.items(key);
    if (items.isEmpty()) {
      throw f.at(key).error("an empty list names nothing" + (counted ? "" : "; leave " + key + " out to mean every edge"));
    }
    List<String> keys = counted ? List.of("from", "to", "port", "protocol", "count") : List.of("from", "to", "port", "protocol");
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Fields e = Fields.of(items.get(i), f.at(key).at(i), keys);
      Map<String, Object> edge = new LinkedHashMap<>();
      edge.put("from", ref(e.req("from"), e.at("from"), sources));
      edge.put("to", ref(e.req("to"), e.at("to"), destinations));
      edge.put("port", e.integer("port", 1, 65535));
      if (e.has("protocol")) {
        edge.put("protocol", e.protocol("protocol"));
      }
      if (counted) {
        edge.put("count", e.integer("count", 1, 1_000_000));
      }
      out.add(edge);
    }
    return out;
  }

  private Probe probe(JsonNode node, Loc loc) {
    Fields p = Fields.of(node, loc, List.of("port", "protocol", "expected"));
    int port = p.integer("port", 1, 65535);
    String protocol = p.protocol("protocol");
    Fields expected = Fields.of(p.opt("expected"), p.at("expected"), List.of("columns", "rows"));
    List<String> columns = new ArrayList<>();
    List<JsonNode> cols = expected.items("columns");
    if (cols.isEmpty()) {
      throw expected.at("columns").error("expected at least one column");
    }
    for (int i = 0; i < cols.size(); i++) {
      columns.add(ref(cols.get(i), expected.at("columns").at(i), DESTINATIONS));
    }
    JsonNode rowsNode = expected.req("rows");
    if (!rowsNode.isObject() || rowsNode.isEmpty()) {
      throw expected.at("rows").error("expected a mapping of source -> cells, got " + Fields.describe(rowsNode));
    }
    Map<String, String> rows = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : rowsNode.properties()) {
      Loc at = expected.at("rows").at(e.getKey());
      ref(e.getKey(), at, SOURCES);
      String cells = Fields.text(e.getValue(), at);
      String[] parts = cells.trim().split("\\s+");
      if (parts.length != columns.size()) {
        throw at.error("'" + cells + "' has " + parts.length + " cells but there are " + columns.size() + " columns");
      }
      for (String cell : parts) {
        if (!cell.equals(".") && !cell.equals("X") && !cell.equals("-")) {
          throw at.error("cell '" + cell + "' must be '.', 'X' or '-'");
        }
      }
      rows.put(e.getKey(), String.join(" ", parts));
    }
    return new Probe(port, protocol, List.copyOf(columns), rows);
  }

  private String ref(JsonNode v, Loc loc, Set<Ref> allowed) {
    return ref(Fields.text(v, loc), loc, allowed);
  }

  /** An endpoint reference of one of the allowed forms; an outside host must be declared. */
  private String ref(String ref, Loc loc, Set<Ref> allowed) {
    Ref form = Ref.of(ref);
    if (form == null || !allowed.contains(form)) {
      throw loc.error("'" + ref + "' is not " + either(allowed.stream().map(r -> r.form).toList()));
    }
    if (form == Ref.OUTSIDE && !hosts.contains(ref.substring("outside/".length()))) {
      throw loc.error("'" + ref + "' names no host of outside.hosts" + declared(hosts));
    }
    return ref;
  }

  /** A list of names of outside hosts. */
  static List<String> hostNames(JsonNode v, Loc loc, Set<String> hosts) {
    List<String> names = new ArrayList<>();
    List<JsonNode> items = Fields.items(v, loc);
    for (int i = 0; i < items.size(); i++) {
      String name = Fields.text(items.get(i), loc.at(i));
      if (!hosts.contains(name)) {
        throw loc.at(i).error("'" + name + "' is not a host of outside.hosts" + declared(hosts));
      }
      names.add(name);
    }
    return names;
  }

  private static String declared(Set<String> names) {
    return names.isEmpty() ? " (there are none)" : " (declared: " + String.join(", ", names) + ")";
  }

  /** "a, b or c". */
  static String either(List<String> forms) {
    return forms.size() == 1 ? forms.get(0)
        : String.join(", ", forms.subList(0, forms.size() - 1)) + " or " + forms.get(forms.size() - 1);
  }
}

package dev.palisade.lab.ci;

import dev.palisade.controller.approved.ApprovedEdges;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import dev.palisade.model.crd.CrdNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Reads baseline files: ApprovedGraph objects (as committed in the app's repository, or a patch
 * {@code palisade ci} wrote). A path is a file or a directory of *.yaml / *.yml (an empty directory
 * approves nothing). Strict like the API server's schema: an unknown field, a workload without
 * its kind, a malformed DNS name or CIDR, an edge with no workload end or a port out of range is an
 * error naming the file, the document and the field. Ends are read as the controller reads them
 * ({@link ApprovedEdges}), so a baseline means in CI what it means in the cluster.
 */
public final class BaselineReader {
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> SPEC = Set.of("edges", "rejected");
  private static final Set<String> EDGE = Set.of("from", "to", "port", "protocol", "provenance");
  private static final Set<String> PROVENANCE = Set.of("source", "traffic", "command", "test");

  private BaselineReader() {}

  public static Baseline read(List<Path> paths) {
    Map<CiEdge, String> approved = new HashMap<>();
    Map<CiEdge, String> rejected = new HashMap<>();
    for (Path p : YamlFiles.expand(paths, "--baseline")) {
      String text;
      try {
        text = Files.readString(p);
      } catch (IOException e) {
        throw new CiInputException(p + ": cannot read: " + e.getMessage());
      }
      readText(p.toString(), text, approved, rejected);
    }
    return new Baseline(approved, rejected);
  }

  /** Adds the edges of one file's text (pure apart from the maps it fills). */
  static void readText(String file, String text, Map<CiEdge, String> approved, Map<CiEdge, String> rejected) {
    List<JsonNode> docs;
    try {
      docs = YamlReader.readAll(text);
    } catch (InvalidYamlException e) {
      throw new CiInputException(file + ": not valid YAML: " + e.getMessage());
    }
    for (int d = 0; d < docs.size(); d++) {
      JsonNode doc = docs.get(d);
      if (doc.isNull() || doc.isMissingNode()) {
        continue;
      }
      String where = docs.size() > 1 ? file + " (document " + (d + 1) + ")" : file;
      if (!doc.isObject()) {
        throw CiInputException.at(where, "(top)", "must be an ApprovedGraph mapping");
      }
      known(where, "", doc, TOP);
      if (!CrdNames.API_VERSION.equals(doc.path("apiVersion").asString(null))) {
        throw CiInputException.at(where, "apiVersion", "must be " + CrdNames.API_VERSION + ", not "
            + doc.path("apiVersion"));
      }
      if (!"ApprovedGraph".equals(doc.path("kind").asString(null))) {
        throw CiInputException.at(where, "kind", "must be ApprovedGraph, not " + doc.path("kind"));
      }
      JsonNode spec = doc.path("spec");
      if (!spec.isObject()) {
        throw CiInputException.at(where, "spec", "missing (an ApprovedGraph needs spec.edges)");
      }
      known(where, "spec.", spec, SPEC);
      if (!spec.path("edges").isArray()) {
        throw CiInputException.at(where, "spec.edges", "must be a list (it may be empty: [])");
      }
      edges(where, "spec.edges", spec.path("edges"), approved);
      if (!spec.path("rejected").isMissingNode()) {
        if (!spec.path("rejected").isArray()) {
          throw CiInputException.at(where, "spec.rejected", "must be a list");
        }
        edges(where, "spec.rejected", spec.path("rejected"), rejected);
      }
    }
  }

  private static void edges(String where, String field, JsonNode list, Map<CiEdge, String> into) {
    for (int i = 0; i < list.size(); i++) {
      String f = field + "[" + i + "]";
      JsonNode e = list.get(i);
      if (!e.isObject()) {
        throw CiInputException.at(where, f, "must be a mapping {from, to, port, protocol}");
      }
      known(where, f + ".", e, EDGE);
      String from = end(where, f + ".from", e.path("from"));
      String to = end(where, f + ".to", e.path("to"));
      JsonNode port = e.path("port");
      if (!port.isIntegralNumber() || port.asInt() < 1 || port.asInt() > 65535) {
        throw CiInputException.at(where, f + ".port", "must be a number 1..65535, not "
            + (port.isMissingNode() ? "missing" : port.toString()));
      }
      EdgeKey key;
      try {
        key = ApprovedEdges.key(from, to, port.asInt(),
            e.path("protocol").isMissingNode() ? null : e.path("protocol").asString());
      } catch (ApprovedEdges.BadEdge ex) {
        throw CiInputException.at(where, f + "." + ex.field(), ex.getMessage());
      }
      if (e.has("provenance")) {
        if (!e.path("provenance").isObject()) {
          throw CiInputException.at(where, f + ".provenance", "must be a mapping");
        }
        known(where, f + ".provenance.", e.path("provenance"), PROVENANCE);
      }
      into.putIfAbsent(new CiEdge(key.source(), key.destination(), key.port(), key.protocol()), where);
    }
  }

  /** A string end; what it may say is checked with the edge ({@link ApprovedEdges#key}). */
  private static String end(String where, String field, JsonNode v) {
    if (!v.isString()) {
      throw CiInputException.at(where, field, "must be a workload NS/KIND/NAME, world, dns:NAME or a CIDR, not "
          + (v.isMissingNode() ? "missing" : v.toString()));
    }
    return v.asString();
  }

  private static void known(String where, String prefix, JsonNode o, Set<String> keys) {
    for (String k : o.propertyNames()) {
      if (!keys.contains(k)) {
        throw CiInputException.at(where, prefix + k, "unknown field (known: " + new java.util.TreeSet<>(keys) + ")");
      }
    }
  }
}

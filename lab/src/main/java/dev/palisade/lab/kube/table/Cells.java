package dev.palisade.lab.kube.table;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Cells shared by several of kube-apiserver's built-in printers, formatted as kube's printers do
 * ("&lt;none&gt;" for an empty value, label selectors as metav1.FormatLabelSelector).
 */
final class Cells {
  private Cells() {}

  static String name(JsonNode object) {
    return text(object.path("metadata"), "name");
  }

  static String age(JsonNode object, Instant now) {
    return HumanDuration.since(text(object.path("metadata"), "creationTimestamp"), now);
  }

  static long replicas(JsonNode object) {
    return object.path("spec").path("replicas").asLong(1);
  }

  static String containerNames(JsonNode podSpec) {
    List<String> names = new ArrayList<>();
    podSpec.path("containers").forEach(c -> names.add(text(c, "name")));
    return String.join(",", names);
  }

  static String images(JsonNode podSpec) {
    List<String> images = new ArrayList<>();
    podSpec.path("containers").forEach(c -> images.add(text(c, "image")));
    return String.join(",", images);
  }

  /** As metav1.FormatLabelSelector: "k=v,k2 in (a,b)", "&lt;none&gt;" for an empty selector. */
  static String selector(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    String labels = labels(selector.path("matchLabels"));
    if (!labels.isEmpty()) {
      parts.add(labels);
    }
    for (JsonNode e : selector.path("matchExpressions")) {
      String key = text(e, "key");
      List<String> values = new ArrayList<>(new TreeSet<>(strings(e.path("values"))));
      switch (text(e, "operator")) {
        case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> parts.add(key);
        case "DoesNotExist" -> parts.add("!" + key);
        default -> parts.add(key + " " + text(e, "operator") + " " + values);
      }
    }
    return parts.isEmpty() ? "<none>" : String.join(",", parts);
  }

  /** "k=v,k2=v2" in key order, empty when there are none. */
  static String labels(JsonNode map) {
    List<String> out = new ArrayList<>();
    new TreeSet<>(map.propertyNames()).forEach(k -> out.add(k + "=" + map.path(k).asString("")));
    return String.join(",", out);
  }

  static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (text(c, "type").equals(type) && text(c, "status").equals("True")) {
        return true;
      }
    }
    return false;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asString("")));
    return out;
  }

  static Instant instant(String timestamp) {
    if (timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() ? v.asString("") : "";
  }

  static String orNone(String s) {
    return s.isEmpty() ? "<none>" : s;
  }

  static String orUnknown(String s) {
    return s.isEmpty() ? "<unknown>" : s;
  }

  static String capitalized(boolean b) {
    return b ? "True" : "False";
  }
}

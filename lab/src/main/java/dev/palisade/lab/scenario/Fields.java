package dev.palisade.lab.scenario;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One mapping of a scenario whose keys the schema fixes, and the readers of its values. A key the
 * schema does not name is refused when the mapping is opened (before any value is read, so a
 * misspelt key is reported as such, not as the key it should have been), except keys that start
 * with {@code x-}, which are the author's and ignored. A value that is null counts as missing.
 */
final class Fields {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
  /** One decimal octet 0..255, and a dotted IPv4 address (regular expressions). */
  static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  static final String IPV4 = "(" + OCTET + "\\.){3}" + OCTET;

  private final JsonNode node;
  private final Loc loc;

  private Fields(JsonNode node, Loc loc) {
    this.node = node;
    this.loc = loc;
  }

  /** Opens {@code node} as a mapping that may hold {@code keys} (and x- keys), nothing else. */
  static Fields of(JsonNode node, Loc loc, Collection<String> keys) {
    if (node == null || node.isNull()) {
      throw loc.error("missing");
    }
    if (!node.isObject()) {
      throw loc.error("expected a mapping, got " + describe(node));
    }
    for (String key : node.propertyNames()) {
      if (!keys.contains(key) && !key.startsWith("x-")) {
        throw loc.at(key).error("unknown key; expected " + String.join(", ", keys)
            + " (keys starting with x- are ignored)");
      }
    }
    return new Fields(node, loc);
  }

  Loc at(String key) {
    return loc.at(key);
  }

  boolean has(String key) {
    return opt(key) != null;
  }

  /** The value, or null when the key is absent or null. */
  JsonNode opt(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  JsonNode req(String key) {
    JsonNode v = opt(key);
    if (v == null) {
      throw loc.at(key).error("missing");
    }
    return v;
  }

  String text(String key) {
    return text(req(key), at(key));
  }

  /** The text, or null when absent. */
  String optText(String key) {
    JsonNode v = opt(key);
    return v == null ? null : text(v, at(key));
  }

  int integer(String key, int min, int max) {
    return integer(req(key), at(key), min, max);
  }

  /** TCP, UDP or SCTP; absent is TCP, as everywhere in Kubernetes. */
  String protocol(String key) {
    JsonNode v = opt(key);
    return v == null ? "TCP" : protocol(v, at(key));
  }

  List<JsonNode> items(String key) {
    return items(req(key), at(key));
  }

  // ---- readers of one value

  static String text(JsonNode v, Loc loc) {
    if (v == null || v.isNull()) {
      throw loc.error("missing");
    }
    if (!v.isValueNode()) {
      throw loc.error("expected a scalar, got " + describe(v));
    }
    return v.asString();
  }

  static int integer(JsonNode v, Loc loc, int min, int max) {
    int i;
    if (v != null && v.isIntegralNumber() && v.canConvertToInt()) {
      i = v.asInt();
    } else if (v != null && v.isString() && v.asString().matches("-?\\d{1,9}")) {
      i = Integer.parseInt(v.asString());
    } else {
      throw loc.error(v == null || v.isNull() ? "missing" : "expected an integer, got " + describe(v));
    }
    if (i < min || i > max) {
      throw loc.error(i + " is out of range " + min + ".." + max);
    }
    return i;
  }

  static String protocol(JsonNode v, Loc loc) {
    String p = text(v, loc);
    if (!PROTOCOLS.contains(p)) {
      throw loc.error("unknown protocol '" + p + "'; expected TCP, UDP or SCTP");
    }
    return p;
  }

  static List<JsonNode> items(JsonNode v, Loc loc) {
    if (v == null || v.isNull()) {
      throw loc.error("missing");
    }
    if (!v.isArray()) {
      throw loc.error("expected a list, got " + describe(v));
    }
    List<JsonNode> items = new ArrayList<>();
    v.forEach(items::add);
    return items;
  }

  /** Label keys to values; values are scalars (a number is taken as its text). */
  static Map<String, String> labels(JsonNode v, Loc loc) {
    if (v == null || v.isNull()) {
      throw loc.error("missing");
    }
    if (!v.isObject()) {
      throw loc.error("expected a mapping of label keys to values, got " + describe(v));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      labels.put(e.getKey(), text(e.getValue(), loc.at(e.getKey())));
    }
    return labels;
  }

  /** The value as plain Java maps, lists, strings, numbers and booleans (for free-form objects). */
  static Object plain(JsonNode v) {
    return JSON.convertValue(v, Object.class);
  }

  static String describe(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isNull()) {
      return "nothing";
    }
    return (v.isString() ? "the text '" : v.isNumber() ? "the number '" : "'") + v.asString() + "'";
  }
}

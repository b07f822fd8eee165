package dev.palisade.lab.deploy;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * RFC 6902 JSON patches (add, remove, replace, move, copy, test), as kustomize applies them to a
 * target resource. The lab's {@code JsonPatches} only writes such patches; this reads them.
 */
public final class JsonPatch6902 {
  private JsonPatch6902() {}

  /** What {@code document} becomes under {@code operations}; {@code document} is not changed. */
  public static JsonNode apply(JsonNode document, JsonNode operations) {
    if (!operations.isArray()) {
      throw new IllegalArgumentException("a JSON patch is a list of operations");
    }
    JsonNode doc = document.deepCopy();
    int i = 0;
    for (JsonNode op : operations) {
      try {
        doc = applyOne(doc, op);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("operation " + i + " (" + op + "): " + e.getMessage(), e);
      }
      i++;
    }
    return doc;
  }

  private static JsonNode applyOne(JsonNode doc, JsonNode op) {
    String kind = text(op, "op");
    List<String> path = pointer(text(op, "path"));
    return switch (kind) {
      case "add" -> add(doc, path, required(op, "value").deepCopy());
      case "remove" -> {
        remove(doc, path);
        yield doc;
      }
      case "replace" -> {
        if (path.isEmpty()) {
          yield required(op, "value").deepCopy();
        }
        get(doc, path); // replace requires the target to exist
        remove(doc, path);
        yield add(doc, path, required(op, "value").deepCopy());
      }
      case "move" -> {
        List<String> from = pointer(text(op, "from"));
        JsonNode value = get(doc, from);
        remove(doc, from);
        yield add(doc, path, value);
      }
      case "copy" -> add(doc, path, get(doc, pointer(text(op, "from"))).deepCopy());
      case "test" -> {
        if (!get(doc, path).equals(required(op, "value"))) {
          throw new IllegalArgumentException("test failed at " + text(op, "path"));
        }
        yield doc;
      }
      default -> throw new IllegalArgumentException("unknown op '" + kind + "'");
    };
  }

  private static JsonNode add(JsonNode doc, List<String> path, JsonNode value) {
    if (path.isEmpty()) {
      return value;
    }
    JsonNode parent = get(doc, path.subList(0, path.size() - 1));
    String last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.set(last, value);
    } else if (parent instanceof ArrayNode a) {
      if (last.equals("-")) {
        a.add(value);
      } else {
        a.insert(index(a, last, a.size()), value);
      }
    } else {
      throw new IllegalArgumentException("cannot add below a scalar at /" + String.join("/", path));
    }
    return doc;
  }

  private static void remove(JsonNode doc, List<String> path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("cannot remove the whole document");
    }
    JsonNode parent = get(doc, path.subList(0, path.size() - 1));
    String last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode o && o.has(last)) {
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      a.remove(index(a, last, a.size() - 1));
    } else {
      throw new IllegalArgumentException("no value at /" + String.join("/", path));
    }
  }

  private static JsonNode get(JsonNode doc, List<String> path) {
    JsonNode at = doc;
    for (String token : path) {
      JsonNode next = at.isArray() ? at.get(index((ArrayNode) at, token, at.size() - 1)) : at.get(token);
      if (next == null) {
        throw new IllegalArgumentException("no value at /" + String.join("/", path));
      }
      at = next;
    }
    return at;
  }

  private static int index(ArrayNode array, String token, int max) {
    if (!token.matches("0|[1-9][0-9]*")) {
      throw new IllegalArgumentException("'" + token + "' is not an array index");
    }
    int i = Integer.parseInt(token);
    if (i > max) {
      throw new IllegalArgumentException("index " + i + " is out of bounds (size " + array.size() + ")");
    }
    return i;
  }

  /** RFC 6901: "/a/b~1c" is [a, b/c]; "" is the whole document. */
  static List<String> pointer(String text) {
    List<String> tokens = new ArrayList<>();
    if (text.isEmpty()) {
      return tokens;
    }
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("path '" + text + "' must start with /");
    }
    for (String t : text.substring(1).split("/", -1)) {
      tokens.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static String text(JsonNode op, String field) {
    JsonNode v = op.get(field);
    if (v == null || !v.isString()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return v.asString();
  }

  private static JsonNode required(JsonNode op, String field) {
    JsonNode v = op.get(field);
    if (v == null) {
      throw new IllegalArgumentException("'" + field + "' is missing");
    }
    return v;
  }
}

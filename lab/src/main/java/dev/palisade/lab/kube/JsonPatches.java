package dev.palisade.lab.kube;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON merge patches (RFC 7386) applied here, and differences written as JSON patches (RFC 6902).
 *
 * <p>Why: fabric8's CRUD store applies {@code application/merge-patch+json} with Jackson's
 * "reader for updating", which appends to arrays instead of replacing them, so re-applying a
 * manifest with kubectl duplicates list elements (containers, ports, CR spec lists). Its
 * {@code application/json-patch+json} path is exact, so the lab computes the patched object itself
 * and sends the store the JSON patch from the stored object to it.
 */
final class JsonPatches {
  private JsonPatches() {}

  /** RFC 7386: what {@code original} becomes under merge patch {@code patch}; arguments unchanged. */
  static JsonNode applyMergePatch(JsonNode original, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode target = original != null && original.isObject() ? (ObjectNode) original.deepCopy()
        : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        target.remove(e.getKey());
      } else {
        target.set(e.getKey(), applyMergePatch(target.get(e.getKey()), e.getValue()));
      }
    }
    return target;
  }

  /** RFC 6902 operations that turn {@code from} into {@code to}; arrays that differ are replaced whole. */
  static ArrayNode diff(JsonNode from, JsonNode to) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    diff("", from, to, ops);
    return ops;
  }

  private static void diff(String path, JsonNode from, JsonNode to, ArrayNode ops) {
    if (from.equals(to)) {
      return;
    }
    if (!from.isObject() || !to.isObject()) {
      ops.addObject().put("op", "replace").put("path", path).set("value", to);
      return;
    }
    for (String name : from.propertyNames()) {
      if (!to.has(name)) {
        ops.addObject().put("op", "remove").put("path", path + "/" + escape(name));
      }
    }
    for (Map.Entry<String, JsonNode> e : to.properties()) {
      String child = path + "/" + escape(e.getKey());
      JsonNode before = from.get(e.getKey());
      if (before == null) {
        ops.addObject().put("op", "add").put("path", child).set("value", e.getValue());
      } else {
        diff(child, before, e.getValue(), ops);
      }
    }
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}

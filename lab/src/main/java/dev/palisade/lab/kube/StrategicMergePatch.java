package dev.palisade.lab.kube;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes strategic merge patch, for the lists kubectl's client-side apply touches in the kinds
 * the lab admits. fabric8's CRUD store answers 415 to {@code application/strategic-merge-patch+json},
 * which kubectl apply sends for every built-in kind once an object exists; the lab applies the patch
 * here and hands the store an equivalent JSON merge patch. The deploy renderer
 * ({@code dev.palisade.lab.deploy.KustomizeRenderer}) applies kustomize's strategic-merge patches with it too.
 *
 * <p>Without the Go structs' {@code patchMergeKey} tags, merge keys are chosen by field name (the
 * tags of the core/v1, apps/v1 and meta/v1 types); every other list is replaced whole, which is the
 * strategic-merge default too. Supported directives: {@code $patch: replace|delete|merge},
 * {@code $retainKeys}, {@code $deleteFromPrimitiveList/F}, {@code $setElementOrder/F}.
 */
public final class StrategicMergePatch {
  private static final String PRIMITIVE_UNION = "";
  private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
      Map.entry("containers", "name"), Map.entry("initContainers", "name"),
      Map.entry("ephemeralContainers", "name"), Map.entry("env", "name"), Map.entry("volumes", "name"),
      Map.entry("volumeMounts", "mountPath"), Map.entry("volumeDevices", "devicePath"),
      Map.entry("imagePullSecrets", "name"), Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"),
      Map.entry("hostAliases", "ip"), Map.entry("resourceClaims", "name"), Map.entry("schedulingGates", "name"),
      Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("addresses", "type"),
      Map.entry("finalizers", PRIMITIVE_UNION));

  private StrategicMergePatch() {}

  /** The object {@code original} becomes under {@code patch}; neither argument is changed. */
  public static JsonNode apply(JsonNode original, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    return mergeObject(original != null && original.isObject() ? (ObjectNode) original.deepCopy() : object(),
        (ObjectNode) patch);
  }

  private static ObjectNode mergeObject(ObjectNode target, ObjectNode patch) {
    String directive = patch.path("$patch").asString("merge");
    if (directive.equals("replace")) {
      ObjectNode replaced = patch.deepCopy();
      replaced.remove("$patch");
      return replaced;
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String name = e.getKey();
      JsonNode value = e.getValue();
      if (name.startsWith("$deleteFromPrimitiveList/")) {
        removeValues(target, name.substring(name.indexOf('/') + 1), value);
      } else if (name.startsWith("$")) {
        continue; // $patch, $retainKeys and $setElementOrder are applied around the merge
      } else if (value.isNull()) {
        target.remove(name);
      } else if (value.isObject()) {
        if (value.path("$patch").asString("").equals("delete")) {
          target.remove(name);
        } else {
          target.set(name, mergeObject(objectOrEmpty(target.get(name)), (ObjectNode) value));
        }
      } else if (value.isArray()) {
        target.set(name, mergeList(name, target.get(name), (ArrayNode) value));
      } else {
        target.set(name, value.deepCopy());
      }
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getKey().startsWith("$setElementOrder/")) {
        order(target, e.getKey().substring(e.getKey().indexOf('/') + 1), e.getValue());
      }
    }
    JsonNode retain = patch.get("$retainKeys");
    if (retain != null && retain.isArray()) {
      Set<String> keep = new HashSet<>();
      retain.forEach(k -> keep.add(k.asString()));
      target.retain(keep);
    }
    return target;
  }

  private static JsonNode mergeList(String field, JsonNode current, ArrayNode patch) {
    String key = mergeKey(field, current, patch);
    if (key == null || current == null || !current.isArray()) {
      ArrayNode replaced = patch.deepCopy();
      stripDirectives(replaced);
      return replaced;
    }
    ArrayNode result = ((ArrayNode) current).deepCopy();
    if (key.equals(PRIMITIVE_UNION)) {
      for (JsonNode v : patch) {
        if (!contains(result, v)) {
          result.add(v.deepCopy());
        }
      }
      return result;
    }
    for (JsonNode element : patch) {
      if (!element.isObject()) {
        result.add(element.deepCopy());
        continue;
      }
      int at = indexOf(result, key, element.get(key));
      String directive = element.path("$patch").asString("merge");
      if (directive.equals("delete")) {
        if (at >= 0) {
          result.remove(at);
        }
      } else if (directive.equals("replace")) {
        // "$patch: replace" inside a list replaces the whole list by the patch's elements.
        ArrayNode replaced = patch.deepCopy();
        stripDirectives(replaced);
        return replaced;
      } else if (at >= 0) {
        result.set(at, mergeObject((ObjectNode) result.get(at).deepCopy(), (ObjectNode) element));
      } else {
        result.add(mergeObject(object(), (ObjectNode) element));
      }
    }
    return result;
  }

  /** Container ports merge on containerPort, service ports on port; the rest by field name. */
  private static String mergeKey(String field, JsonNode current, ArrayNode patch) {
    if (field.equals("ports")) {
      boolean container = hasField(current, "containerPort") || hasField(patch, "containerPort");
      return container ? "containerPort" : "port";
    }
    return MERGE_KEYS.get(field);
  }

  private static boolean hasField(JsonNode list, String name) {
    if (list == null || !list.isArray()) {
      return false;
    }
    for (JsonNode e : list) {
      if (e.has(name)) {
        return true;
      }
    }
    return false;
  }

  private static void order(ObjectNode target, String field, JsonNode order) {
    JsonNode list = target.get(field);
    if (list == null || !list.isArray() || !order.isArray()) {
      return;
    }
    String key = mergeKey(field, list, JsonNodeFactory.instance.arrayNode());
    List<JsonNode> remaining = new ArrayList<>();
    list.forEach(remaining::add);
    ArrayNode ordered = JsonNodeFactory.instance.arrayNode();
    for (JsonNode wanted : order) {
      for (Iterator<JsonNode> it = remaining.iterator(); it.hasNext(); ) {
        JsonNode e = it.next();
        JsonNode id = key == null || key.equals(PRIMITIVE_UNION) || !e.isObject() ? e : e.get(key);
        JsonNode wantedId = wanted.isObject() && key != null && !key.equals(PRIMITIVE_UNION) ? wanted.get(key) : wanted;
        if (id != null && id.equals(wantedId)) {
          ordered.add(e);
          it.remove();
          break;
        }
      }
    }
    remaining.forEach(ordered::add);
    target.set(field, ordered);
  }

  private static void removeValues(ObjectNode target, String field, JsonNode values) {
    JsonNode list = target.get(field);
    if (list == null || !list.isArray()) {
      return;
    }
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    list.forEach(v -> {
      if (!contains(values, v)) {
        kept.add(v);
      }
    });
    target.set(field, kept);
  }

  private static void stripDirectives(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      List<String> directives = o.propertyNames().stream().filter(n -> n.startsWith("$")).toList();
      o.remove(directives);
      o.forEach(StrategicMergePatch::stripDirectives);
    } else if (node.isArray()) {
      node.forEach(StrategicMergePatch::stripDirectives);
    }
  }

  private static int indexOf(ArrayNode list, String key, JsonNode id) {
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      if (id != null && e.isObject() && id.equals(e.get(key))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean contains(JsonNode list, JsonNode value) {
    for (JsonNode v : list) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static ObjectNode objectOrEmpty(JsonNode node) {
    return node != null && node.isObject() ? (ObjectNode) node.deepCopy() : object();
  }

  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}

package dev.palisade.lab.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver does to a custom resource between decoding it and validating it, in this
 * order: drops the fields its CRD's structural schema does not declare (pruning), drops nulls of
 * fields that are not {@code nullable} and have no default, and fills in defaults.
 *
 * <p>Pruning keeps {@code apiVersion}, {@code kind} and {@code metadata} at the root and in
 * {@code x-kubernetes-embedded-resource} objects, keeps everything under
 * {@code x-kubernetes-preserve-unknown-fields: true} that the schema does not describe, and
 * follows {@code additionalProperties} (maps). The dropped fields' paths are returned, so that
 * {@code fieldValidation=Strict} can refuse them and {@code Warn} can name them.
 */
final class StructuralPruner {
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private StructuralPruner() {}

  /**
   * Prunes {@code object} in place against {@code schema} (the CRD version's openAPIV3Schema) and
   * returns the paths of the unknown fields it dropped, such as {@code spec.rules[0].portt}.
   */
  static List<String> prune(ObjectNode object, JsonNode schema) {
    List<String> unknown = new ArrayList<>();
    pruneObject(object, schema, "", true, unknown);
    return unknown;
  }

  private static void prune(JsonNode value, JsonNode schema, String path, List<String> unknown) {
    if (schema == null || schema.isMissingNode()) {
      return;
    }
    if (value instanceof ObjectNode object) {
      pruneObject(object, schema, path, schema.path("x-kubernetes-embedded-resource").asBoolean(false), unknown);
    } else if (value instanceof ArrayNode array) {
      JsonNode items = schema.get("items");
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), items, path + "[" + i + "]", unknown);
      }
    }
  }

  private static void pruneObject(ObjectNode object, JsonNode schema, String path, boolean keepObjectFields,
      List<String> unknown) {
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (String name : List.copyOf(object.propertyNames())) {
      String child = path.isEmpty() ? name : path + "." + name;
      JsonNode fieldSchema = properties.get(name);
      if (fieldSchema == null && additional != null && additional.isObject()) {
        fieldSchema = additional;
      }
      if (fieldSchema == null) {
        boolean kept = preserve || (additional != null && additional.asBoolean(false))
            || (keepObjectFields && OBJECT_FIELDS.contains(name));
        if (!kept) {
          object.remove(name);
          unknown.add(child);
        }
        continue;
      }
      JsonNode value = object.get(name);
      if (value.isNull() && !fieldSchema.path("nullable").asBoolean(false)) {
        // kube-apiserver drops such nulls rather than refusing them, so clients that write every
        // field of a class (null for unset) are accepted; a default then fills the gap below.
        object.remove(name);
        continue;
      }
      prune(value, fieldSchema, child, unknown);
    }
    for (Map.Entry<String, JsonNode> p : properties.properties()) {
      JsonNode defaultValue = p.getValue().get("default");
      if (defaultValue != null && !object.has(p.getKey())) {
        object.set(p.getKey(), defaultValue.deepCopy());
      }
    }
  }
}

package dev.palisade.lab.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a CRD's {@code openAPIV3Schema} (OpenAPI v3.0 "structural" schema) into the JSON Schema
 * draft 4 that the JSON-schema library checks. The two agree on types, enums, required, bounds,
 * patterns and composition; what differs is translated here:
 * <ul>
 *   <li>{@code nullable: true}: draft 4 has no such keyword, so {@code null} joins the type (and the
 *       enum, which kube-apiserver also lets null through).</li>
 *   <li>{@code x-kubernetes-int-or-string: true}: an integer or a string, whatever {@code type} says.</li>
 *   <li>{@code x-kubernetes-*} other extensions: about pruning, merging and CEL, not value checks;
 *       pruning is {@link StructuralPruner}'s, the rest is not checked, so they are dropped.</li>
 *   <li>{@code format}: kept only for the formats kube-apiserver checks and the library knows
 *       (int32, int64, double and the like are documentation only, in both).</li>
 *   <li>{@code default}, {@code description}, {@code example}: no checks; defaults are applied by
 *       the pruner before validation, as the API server does.</li>
 * </ul>
 */
final class StructuralSchemaTranslator {
  private static final Set<String> CHECKED_FORMATS =
      Set.of("date-time", "date", "email", "hostname", "ipv4", "ipv6", "uri", "uuid");
  private static final Set<String> DROPPED = Set.of("nullable", "default", "description", "example", "externalDocs",
      "deprecated", "readOnly", "writeOnly", "xml", "discriminator");

  private StructuralSchemaTranslator() {}

  /** The draft 4 schema checking what {@code openApiV3} declares; the argument is not changed. */
  static JsonNode toJsonSchema(JsonNode openApiV3) {
    if (!openApiV3.isObject()) {
      return openApiV3.deepCopy();
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : openApiV3.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (DROPPED.contains(key) || key.startsWith("x-kubernetes-")) {
        continue;
      }
      switch (key) {
        case "properties", "patternProperties", "definitions" -> {
          ObjectNode children = out.putObject(key);
          value.properties().forEach(p -> children.set(p.getKey(), toJsonSchema(p.getValue())));
        }
        case "items", "additionalProperties", "additionalItems", "not" -> out.set(key, toJsonSchema(value));
        case "allOf", "anyOf", "oneOf" -> {
          ArrayNode parts = out.putArray(key);
          value.forEach(v -> parts.add(toJsonSchema(v)));
        }
        case "format" -> {
          if (CHECKED_FORMATS.contains(value.asString())) {
            out.set(key, value.deepCopy());
          }
        }
        default -> out.set(key, value.deepCopy());
      }
    }
    if (openApiV3.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("type");
      out.set("type", types(List.of("integer", "string")));
    }
    if (openApiV3.path("nullable").asBoolean(false)) {
      List<String> types = new ArrayList<>();
      JsonNode type = out.get("type");
      if (type != null && type.isString()) {
        types.add(type.asString());
      } else if (type != null && type.isArray()) {
        type.forEach(t -> types.add(t.asString()));
      }
      if (!types.isEmpty()) {
        types.add("null");
        out.set("type", types(types));
      }
      if (out.get("enum") instanceof ArrayNode values) {
        values.addNull();
      }
    }
    return out;
  }

  private static ArrayNode types(List<String> names) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    names.forEach(a::add);
    return a;
  }
}

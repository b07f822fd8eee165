package dev.palisade.lab.kube;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Checks a custom resource against one CRD version's openAPIV3Schema and reports the invalid
 * fields as kube-apiserver words them ({@code spec.port: Invalid value: "string": spec.port in
 * body must be of type integer: "string"}). The checking is networknt's JSON-schema validator on
 * the draft 4 translation of the schema ({@link StructuralSchemaTranslator}); only the wording is
 * done here, so that clients and people see the messages they know from a real cluster.
 *
 * <p>Thread-safe: the compiled schema is immutable.
 */
final class CustomResourceValidator {
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

  private final Schema schema;

  CustomResourceValidator(JsonNode openApiV3Schema) {
    this.schema = REGISTRY.getSchema(StructuralSchemaTranslator.toJsonSchema(openApiV3Schema));
  }

  /** The invalid fields of {@code object} (already pruned and defaulted), none when it is valid. */
  List<FieldError> validate(JsonNode object) {
    List<FieldError> errors = new ArrayList<>();
    for (Error e : schema.validate(object)) {
      FieldError error = word(e);
      if (!errors.contains(error)) {
        errors.add(error);
      }
    }
    return errors;
  }

  private static FieldError word(Error e) {
    String field = path(e.getInstanceLocation());
    JsonNode value = e.getInstanceNode();
    JsonNode rule = e.getSchemaNode();
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    return switch (keyword) {
      case "required" -> FieldError.required(join(field, e.getProperty()));
      case "type" -> {
        String actual = typeName(value);
        yield FieldError.invalid(field, quote(actual),
            field + " in body must be of type " + expectedTypes(rule) + ": " + quote(actual));
      }
      case "enum" -> FieldError.notSupported(field, shown(value), StreamSupport.stream(rule.spliterator(), false)
          .filter(v -> !v.isNull()).map(CustomResourceValidator::shown).collect(Collectors.joining(", ")));
      case "format" -> FieldError.invalid(field, shown(value),
          field + " in body must be of type " + rule.asString() + ": " + shown(value));
      case "pattern" -> FieldError.invalid(field, shown(value), field + " in body should match '" + rule.asString() + "'");
      case "minimum" -> FieldError.invalid(field, shown(value), field + " in body should be greater than or equal to " + rule);
      case "maximum" -> FieldError.invalid(field, shown(value), field + " in body should be less than or equal to " + rule);
      case "minLength" -> FieldError.invalid(field, shown(value), field + " in body should be at least " + rule + " chars long");
      case "maxLength" -> new FieldError(field, "FieldValueTooLong",
          "Too long: may not be more than " + rule + " bytes");
      case "minItems" -> FieldError.invalid(field, shown(value), field + " in body should have at least " + rule + " items");
      case "maxItems" -> FieldError.tooMany(field, value.size(), rule.asInt());
      case "minProperties" -> FieldError.invalid(field, shown(value),
          field + " in body should have at least " + rule + " properties");
      case "maxProperties" -> FieldError.invalid(field, shown(value),
          field + " in body should have at most " + rule + " properties");
      case "uniqueItems" -> new FieldError(field, "FieldValueDuplicate", "Duplicate value: " + shown(value));
      default -> FieldError.invalid(field, shown(value), field + " in body " + e.getMessage());
    };
  }

  /** {@code spec.rules[0].port}, from the library's {@code /spec/rules/0/port}. */
  private static String path(NodePath location) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(element);
      }
    }
    return out.toString();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** The expected type as kube-apiserver names it: nullable's {@code null} is not listed. */
  private static String expectedTypes(JsonNode rule) {
    if (rule == null) {
      return "?";
    }
    if (rule.isArray()) {
      return StreamSupport.stream(rule.spliterator(), false).map(JsonNode::asString).filter(t -> !t.equals("null"))
          .collect(Collectors.joining(","));
    }
    return rule.asString();
  }

  private static String typeName(JsonNode value) {
    if (value == null || value.isNull()) {
      return "null";
    }
    if (value.isString()) {
      return "string";
    }
    if (value.isIntegralNumber()) {
      return "integer";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isBoolean()) {
      return "boolean";
    }
    return value.isArray() ? "array" : "object";
  }

  /** A value as the API server shows it after "Invalid value: ": strings quoted, the rest as JSON. */
  private static String shown(JsonNode value) {
    if (value == null) {
      return "null";
    }
    return value.isString() ? quote(value.asString()) : value.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

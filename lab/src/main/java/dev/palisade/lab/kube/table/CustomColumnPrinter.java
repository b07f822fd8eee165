package dev.palisade.lab.kube.table;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * The rows of a custom resource: NAME, then the {@code additionalPrinterColumns} its CRD declares
 * for the version, as apiextensions-apiserver's table convertor prints them; NAME and AGE when it
 * declares none. A column's JSONPath is the simple subset CRDs use: a dotted field path
 * ({@code .spec.mode}, {@code .status.rules}, {@code .metadata.creationTimestamp}, optionally in
 * braces, with {@code [N]} array indexes); "date" columns print as ages. A path that finds
 * nothing leaves the cell empty; an object or array prints as JSON.
 */
public final class CustomColumnPrinter implements RowPrinter {
  private final List<TableColumn> columns;
  private final List<String> paths;

  private CustomColumnPrinter(List<TableColumn> columns, List<String> paths) {
    this.columns = List.copyOf(columns);
    this.paths = List.copyOf(paths);
  }

  /** The printer a CRD declares for {@code version}, or {@link BuiltinPrinters#DEFAULT} without columns. */
  public static RowPrinter of(JsonNode crd, String version) {
    JsonNode spec = crd.path("spec");
    JsonNode declared = spec.path("additionalPrinterColumns"); // v1beta1: one list for all versions
    for (JsonNode v : spec.path("versions")) {
      if (v.path("name").asString("").equals(version) && v.has("additionalPrinterColumns")) {
        declared = v.path("additionalPrinterColumns");
      }
    }
    if (declared.isEmpty()) {
      return BuiltinPrinters.DEFAULT;
    }
    List<TableColumn> columns = new ArrayList<>(List.of(TableColumn.NAME));
    List<String> paths = new ArrayList<>();
    for (JsonNode c : declared) {
      String path = c.path("jsonPath").asString(c.path("JSONPath").asString(""));
      columns.add(new TableColumn(c.path("name").asString(""), c.path("type").asString("string"),
          c.path("format").asString(""), c.path("description").asString(""), c.path("priority").asInt(0)));
      paths.add(path);
    }
    return new CustomColumnPrinter(columns, paths);
  }

  @Override
  public List<TableColumn> columns() {
    return columns;
  }

  @Override
  public List<Object> cells(JsonNode object, Instant now) {
    List<Object> cells = new ArrayList<>(List.of(Cells.name(object)));
    for (int i = 0; i < paths.size(); i++) {
      JsonNode value = select(object, paths.get(i));
      String type = columns.get(i + 1).type();
      if (value.isMissingNode() || value.isNull()) {
        cells.add(null);
      } else if (type.equals("date")) {
        cells.add(HumanDuration.since(value.asString(""), now));
      } else if (value.isIntegralNumber()) {
        cells.add(value.asLong());
      } else if (value.isNumber()) {
        cells.add(value.asDouble());
      } else if (value.isBoolean()) {
        cells.add(value.asBoolean());
      } else if (value.isValueNode()) {
        cells.add(value.asString(""));
      } else {
        cells.add(value.toString());
      }
    }
    return cells;
  }

  /** The node at a dotted path; missing when any step is absent or the path is outside the subset. */
  static JsonNode select(JsonNode object, String jsonPath) {
    String path = jsonPath.trim();
    if (path.startsWith("{") && path.endsWith("}")) {
      path = path.substring(1, path.length() - 1).trim();
    }
    if (!path.startsWith(".")) {
      return MissingNode.getInstance();
    }
    JsonNode node = object;
    for (String step : path.substring(1).split("\\.")) {
      String field = step;
      int bracket = step.indexOf('[');
      if (bracket >= 0) {
        field = step.substring(0, bracket);
      }
      if (!field.isEmpty()) {
        node = node.path(field);
      }
      while (bracket >= 0) {
        int close = step.indexOf(']', bracket);
        if (close < 0) {
          return MissingNode.getInstance();
        }
        try {
          node = node.path(Integer.parseInt(step.substring(bracket + 1, close).trim()));
        } catch (NumberFormatException e) {
          return MissingNode.getInstance();
        }
        bracket = step.indexOf('[', close);
      }
    }
    return node;
  }
}

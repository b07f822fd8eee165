package dev.palisade.lab.kube.table;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds meta.k8s.io Table documents from objects and a {@link RowPrinter}: the column
 * definitions, then one row per object with its cells and, as asked, its metadata as a
 * PartialObjectMetadata (kubectl reads the namespace for {@code -A} and labels for
 * {@code --show-labels} from it), the whole object, or nothing. Pure.
 */
public final class TableRenderer {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private TableRenderer() {}

  /**
   * The Table of a store's answer to a GET: a list's items (with its resourceVersion and continue
   * token), or a single object as one row.
   */
  public static ObjectNode render(JsonNode answer, RowPrinter printer, TableRequest request, Instant now) {
    ObjectNode table = header(printer, request, true);
    ObjectNode metadata = table.putObject("metadata");
    ArrayNode rows = table.putArray("rows");
    boolean list = answer.has("items") && answer.path("kind").asString("").endsWith("List");
    JsonNode listMeta = answer.path("metadata");
    for (String field : List.of("resourceVersion", "continue", "remainingItemCount")) {
      if (listMeta.has(field) && listMeta.get(field).isValueNode()) {
        metadata.set(field, listMeta.get(field));
      }
    }
    if (list) {
      for (JsonNode item : answer.path("items")) {
        rows.add(row(item, printer, request, now));
      }
    } else {
      rows.add(row(answer, printer, request, now));
    }
    return table;
  }

  /**
   * The Table a watch event carries for one object: one row, and column definitions only when
   * {@code withColumns} (kube-apiserver sends them in a watch's first event only).
   */
  public static ObjectNode eventTable(JsonNode object, RowPrinter printer, TableRequest request, Instant now,
      boolean withColumns) {
    ObjectNode table = header(printer, request, withColumns);
    table.putObject("metadata").put("resourceVersion", object.path("metadata").path("resourceVersion").asString(""));
    table.putArray("rows").add(row(object, printer, request, now));
    return table;
  }

  private static ObjectNode header(RowPrinter printer, TableRequest request, boolean withColumns) {
    ObjectNode table = MAPPER.createObjectNode();
    table.put("kind", "Table");
    table.put("apiVersion", request.apiVersion());
    ArrayNode columns = table.putArray("columnDefinitions");
    if (withColumns) {
      for (TableColumn c : printer.columns()) {
        columns.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
            .put("description", c.description()).put("priority", c.priority());
      }
    }
    return table;
  }

  static ObjectNode row(JsonNode object, RowPrinter printer, TableRequest request, Instant now) {
    ObjectNode row = MAPPER.createObjectNode();
    ArrayNode cells = row.putArray("cells");
    for (Object cell : printer.cells(object, now)) {
      if (cell == null) {
        cells.addNull();
      } else if (cell instanceof Long l) {
        cells.add(l);
      } else if (cell instanceof Integer i) {
        cells.add(i);
      } else if (cell instanceof Double d) {
        cells.add(d);
      } else if (cell instanceof Boolean b) {
        cells.add(b);
      } else {
        cells.add(cell.toString());
      }
    }
    switch (request.include()) {
      case OBJECT -> row.set("object", object);
      case METADATA -> {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata").isObject() ? object.get("metadata") : MAPPER.createObjectNode());
      }
      case NONE -> { }
    }
    return row;
  }
}

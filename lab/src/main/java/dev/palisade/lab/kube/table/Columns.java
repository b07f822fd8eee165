package dev.palisade.lab.kube.table;

import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;

/** A printer given as its columns and a function from an object (and the time now) to its row's cells. */
record Columns(List<TableColumn> columns, BiFunction<JsonNode, Instant, List<Object>> row) implements RowPrinter {
  @Override
  public List<Object> cells(JsonNode object, Instant now) {
    return row.apply(object, now);
  }
}

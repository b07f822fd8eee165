package dev.palisade.lab.kube.table;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * How the objects of one resource become Table rows: the columns, and for each object its cells in
 * the same order (String, Long or Boolean values). Pure: the time is given.
 */
public interface RowPrinter {
  List<TableColumn> columns();

  List<Object> cells(JsonNode object, Instant now);
}

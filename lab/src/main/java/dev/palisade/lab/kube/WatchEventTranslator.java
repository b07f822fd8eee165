package dev.palisade.lab.kube;

import dev.palisade.lab.kube.table.RowPrinter;
import dev.palisade.lab.kube.table.TableRenderer;
import dev.palisade.lab.kube.table.TableRequest;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the store's watch events (one WebSocket message each, {@code {"type":..,"object":..}}) into
 * the lines of a streamed watch, as kube-apiserver writes them: one JSON event per line, its object
 * a one-row Table when the client asked for Tables (column definitions in the first event only).
 *
 * <p>The store replays every matching object as ADDED whatever resourceVersion a watch starts
 * from; kubectl's {@code get -w} lists first and then watches from the list's resourceVersion, so
 * the replayed objects it has already printed (ADDED at or before that version) are dropped.
 * Not thread-safe: one per watch, fed by the store's single sender.
 */
final class WatchEventTranslator {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final long sinceResourceVersion;
  private final Optional<TableRequest> table;
  private final RowPrinter printer;
  private boolean columnsSent;

  /**
   * @param resourceVersion the watch's {@code resourceVersion} parameter; empty or "0" keeps the replay
   */
  WatchEventTranslator(String resourceVersion, Optional<TableRequest> table, RowPrinter printer) {
    this.sinceResourceVersion = number(resourceVersion);
    this.table = table;
    this.printer = printer;
  }

  /** The line to write for one store event (with its newline), empty when the client already has it. */
  Optional<String> translate(String storeEvent, Instant now) {
    JsonNode event = MAPPER.readTree(storeEvent);
    JsonNode object = event.path("object");
    String type = event.path("type").asString("");
    if (type.equals("ADDED") && sinceResourceVersion > 0
        && number(object.path("metadata").path("resourceVersion").asString("")) <= sinceResourceVersion) {
      return Optional.empty();
    }
    if (table.isEmpty() || !object.path("metadata").isObject()) {
      // no Table asked, or an ERROR event carrying a Status: sent as the store wrote it
      return Optional.of(MAPPER.writeValueAsString(event) + "\n");
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("type", type);
    out.set("object", TableRenderer.eventTable(object, printer, table.get(), now, !columnsSent));
    columnsSent = true;
    return Optional.of(MAPPER.writeValueAsString(out) + "\n");
  }

  private static long number(String resourceVersion) {
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

package dev.palisade.model.json;

import static dev.palisade.model.json.StrictFields.number;
import static dev.palisade.model.json.StrictFields.onlyFields;
import static dev.palisade.model.json.StrictFields.text;

import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Drop reports from agents: {@code {"node":..., "events":[{kind, direction, src, dst, protocol, port, at, srcPod, dstPod}]}}. */
public final class DropReportJson {
  public static final int MAX_EVENTS = 5_000;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Set<String> REPORT_FIELDS = Set.of("node", "events");
  private static final Set<String> EVENT_FIELDS = Set.of("kind", "direction", "src", "dst", "protocol", "port", "at",
      "srcPod", "dstPod", "outside");
  private static final Pattern POD = Pattern.compile("[a-z0-9][-a-z0-9.]{0,252}/[a-z0-9][-a-z0-9.]{0,252}");

  private DropReportJson() {}

  public record DropReport(String node, List<DropEvent> events) {}

  public static String write(String node, List<DropEvent> events) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("node", node);
    ArrayNode a = root.putArray("events");
    for (DropEvent e : events) {
      a.add(toJson(e));
    }
    return MAPPER.writeValueAsString(root);
  }

  public static ObjectNode toJson(DropEvent e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", e.kind());
    o.put("direction", e.direction());
    o.put("src", e.source());
    o.put("dst", e.destination());
    o.put("protocol", e.protocol().name());
    o.put("port", e.port());
    o.put("at", e.atMillis());
    if (e.sourcePod() != null) {
      o.put("srcPod", e.sourcePod());
    }
    if (e.destinationPod() != null) {
      o.put("dstPod", e.destinationPod());
    }
    if (e.outside() != null) {
      o.put("outside", e.outside());
    }
    return o;
  }

  /**
   * Reads a report strictly, like {@link FlowReportJson}: unknown fields, wrong JSON types (a port
   * as a string, null) and out-of-range values are refused with the field's path.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static DropReport read(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("drop report is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("drop report must be {\"node\": string, \"events\": [...]}");
    }
    onlyFields(root, REPORT_FIELDS, "");
    String node = text(root, "node", "");
    JsonNode events = root.get("events");
    if (events == null || !events.isArray()) {
      throw new IllegalArgumentException("events: must be an array");
    }
    if (events.size() > MAX_EVENTS) {
      throw new IllegalArgumentException("events: at most " + MAX_EVENTS + " per report");
    }
    List<DropEvent> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      String at = "events[" + i + "].";
      JsonNode e = events.get(i);
      if (!e.isObject()) {
        throw new IllegalArgumentException("events[" + i + "]: must be an object");
      }
      onlyFields(e, EVENT_FIELDS, at);
      String kind = text(e, "kind", at);
      String direction = text(e, "direction", at);
      long src = number(e, "src", at, 0, Long.MAX_VALUE);
      long dst = number(e, "dst", at, 0, Long.MAX_VALUE);
      Protocol protocol;
      try {
        protocol = Protocol.parse(text(e, "protocol", at));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(at + "protocol: " + ex.getMessage());
      }
      int port = (int) number(e, "port", at, 0, 65535);
      long atMillis = number(e, "at", at, 0, Long.MAX_VALUE);
      try {
        JsonNode outside = e.get("outside");
        if (outside != null && !outside.isString()) {
          throw new IllegalArgumentException(at + "outside: must be a string");
        }
        out.add(new DropEvent(kind, direction, src, dst, protocol, port, atMillis, pod(e, "srcPod", at),
            pod(e, "dstPod", at), outside == null ? null : outside.asString()));
      } catch (IllegalArgumentException ex) {
        throw ex.getMessage().startsWith(at) ? ex : new IllegalArgumentException(at + " " + ex.getMessage());
      }
    }
    return new DropReport(node, out);
  }

  /** A namespace/pod name, or null when absent (the end is not a pod). */
  private static String pod(JsonNode o, String field, String at) {
    JsonNode v = o.get(field);
    if (v == null) {
      return null;
    }
    if (!v.isString() || !POD.matcher(v.asString()).matches()) {
      throw new IllegalArgumentException(at + field + ": must be a namespace/pod name");
    }
    return v.asString();
  }
}

package dev.palisade.model.json;

import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Drop reports from agents: {@code {"node":..., "events":[{kind, direction, src, dst, protocol, port, at, srcPod, dstPod}]}}. */
public final class DropReportJson {
  public static final int MAX_EVENTS = 5_000;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

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
    return o;
  }

  /** @throws IllegalArgumentException naming what is wrong */
  public static DropReport read(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("drop report is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !root.path("node").isString() || !root.path("events").isArray()) {
      throw new IllegalArgumentException("drop report must be {\"node\": string, \"events\": [...]}");
    }
    if (root.get("events").size() > MAX_EVENTS) {
      throw new IllegalArgumentException("events: at most " + MAX_EVENTS + " per report");
    }
    List<DropEvent> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : root.get("events")) {
      String at = "events[" + i++ + "]";
      try {
        if (!e.path("src").isIntegralNumber() || !e.path("dst").isIntegralNumber() || !e.path("port").isIntegralNumber()
            || !e.path("at").isIntegralNumber()) {
          throw new IllegalArgumentException("src, dst, port and at must be integers");
        }
        out.add(new DropEvent(e.path("kind").asString(""), e.path("direction").asString(""), e.get("src").asLong(),
            e.get("dst").asLong(), Protocol.parse(e.path("protocol").asString("")), e.get("port").asInt(),
            e.get("at").asLong(), e.has("srcPod") ? e.get("srcPod").asString() : null,
            e.has("dstPod") ? e.get("dstPod").asString() : null));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(at + ": " + ex.getMessage());
      }
    }
    return new DropReport(root.get("node").asString(), out);
  }
}

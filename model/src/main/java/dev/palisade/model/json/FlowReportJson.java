package dev.palisade.model.json;

import static dev.palisade.model.json.StrictFields.number;
import static dev.palisade.model.json.StrictFields.onlyFields;
import static dev.palisade.model.json.StrictFields.text;

import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The flow report wire format, read strictly: unknown fields, wrong types, out-of-range numbers
 * and oversized batches are refused with a message naming the field (e.g.
 * {@code flows[3].port: must be 1..65535}). A poisoned learning phase is an attack, so nothing
 * is guessed.
 *
 * <pre>
 * {"node":"lab-node-0","sequence":7,"flows":[{"src":300,"dst":301,"protocol":"TCP","port":9090,
 *   "count":20,"first":1732440000000,"last":1732440005000,"srcPods":["shop/web-x"],"dstPods":[]}]}
 * </pre>
 * A flow to the world (dst 1) may carry {@code "outside":"dns:api.payments.example"} (the name the
 * pod resolved to that address) or {@code "outside":"203.0.113.7"}.
 * <pre>
 * </pre>
 */
public final class FlowReportJson {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Set<String> REPORT_FIELDS = Set.of("node", "sequence", "flows");
  private static final Set<String> FLOW_FIELDS = Set.of("src", "dst", "protocol", "port", "count", "first", "last",
      "srcPods", "dstPods", "outside");

  private FlowReportJson() {}

  public static String write(FlowReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("node", r.node());
    root.put("sequence", r.sequence());
    ArrayNode flows = root.putArray("flows");
    for (FlowRecord f : r.flows()) {
      ObjectNode o = flows.addObject();
      o.put("src", f.key().source());
      o.put("dst", f.key().destination());
      o.put("protocol", f.key().protocol().name());
      o.put("port", f.key().port());
      if (f.key().outside() != null) {
        o.put("outside", f.key().outside());
      }
      o.put("count", f.count());
      o.put("first", f.firstSeenMillis());
      o.put("last", f.lastSeenMillis());
      ArrayNode sp = o.putArray("srcPods");
      f.sourcePods().forEach(sp::add);
      ArrayNode dp = o.putArray("dstPods");
      f.destinationPods().forEach(dp::add);
    }
    return MAPPER.writeValueAsString(root);
  }

  /** @throws IllegalArgumentException naming the first thing wrong */
  public static FlowReport read(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("flow report is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("flow report must be a JSON object");
    }
    onlyFields(root, REPORT_FIELDS, "");
    String node = text(root, "node", "");
    long sequence = number(root, "sequence", "", 0, Long.MAX_VALUE);
    JsonNode flows = root.get("flows");
    if (flows == null || !flows.isArray()) {
      throw new IllegalArgumentException("flows: must be an array");
    }
    if (flows.size() > FlowReport.MAX_FLOWS) {
      throw new IllegalArgumentException("flows: at most " + FlowReport.MAX_FLOWS + " records per report, got "
          + flows.size());
    }
    List<FlowRecord> records = new ArrayList<>(flows.size());
    for (int i = 0; i < flows.size(); i++) {
      String at = "flows[" + i + "].";
      JsonNode f = flows.get(i);
      if (!f.isObject()) {
        throw new IllegalArgumentException("flows[" + i + "]: must be an object");
      }
      onlyFields(f, FLOW_FIELDS, at);
      try {
        Protocol protocol = Protocol.parse(text(f, "protocol", at));
        FlowKey key = new FlowKey(number(f, "src", at, 1, Long.MAX_VALUE), number(f, "dst", at, 1, Long.MAX_VALUE),
            protocol, (int) number(f, "port", at, 1, 65535), outside(f, at));
        records.add(new FlowRecord(key, number(f, "count", at, 1, Long.MAX_VALUE),
            number(f, "first", at, 1, Long.MAX_VALUE), number(f, "last", at, 1, Long.MAX_VALUE),
            pods(f, "srcPods", at), pods(f, "dstPods", at)));
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith("flows[") ? e : new IllegalArgumentException(at + " " + e.getMessage());
      }
    }
    return new FlowReport(node, sequence, records);
  }

  private static String outside(JsonNode f, String at) {
    JsonNode v = f.get("outside");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString() || v.asString().length() > 260) {
      throw new IllegalArgumentException(at + "outside: must be dns:NAME or an address (a string of at most 260)");
    }
    return v.asString();
  }

  private static List<String> pods(JsonNode o, String field, String at) {
    JsonNode v = o.get(field);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray() || v.size() > FlowRecord.MAX_EXAMPLES) {
      throw new IllegalArgumentException(at + field + ": must be an array of at most " + FlowRecord.MAX_EXAMPLES
          + " pod names");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode p : v) {
      if (!p.isString() || !p.asString().matches("[a-z0-9][-a-z0-9.]{0,252}/[a-z0-9][-a-z0-9.]{0,252}")) {
        throw new IllegalArgumentException(at + field + ": '" + p + "' is not a namespace/pod name");
      }
      out.add(p.asString());
    }
    return out;
  }
}

package dev.palisade.lab.ci;

import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code --traffic FILE}: a YAML map {@code flows:} whose entries are those of a scenario's
 * traffic step ({@code from}, {@code to}, {@code port}, {@code protocol}, {@code count}; see
 * SCHEMA.md). Strict: an unknown or missing field is an error naming the file and the entry.
 */
public final class TrafficFile {
  private static final Set<String> FLOW = Set.of("from", "to", "port", "protocol", "count");

  /** One entry; {@link #origin} is how reports and provenance name it. */
  public record Flow(String origin, String from, String to, int port, String protocol, int count) {}

  private TrafficFile() {}

  public static List<Flow> parse(String file, String text) {
    JsonNode doc;
    try {
      doc = YamlReader.readOne(text);
    } catch (InvalidYamlException e) {
      throw new CiInputException(file + ": not valid YAML: " + e.getMessage());
    }
    if (!doc.isObject() || !doc.path("flows").isArray()) {
      throw CiInputException.at(file, "flows", "must be a list of {from, to, port, protocol, count}");
    }
    for (String k : doc.propertyNames()) {
      if (!k.equals("flows") && !k.startsWith("x-")) {
        throw CiInputException.at(file, k, "unknown field (known: flows)");
      }
    }
    List<Flow> out = new ArrayList<>();
    JsonNode flows = doc.path("flows");
    for (int i = 0; i < flows.size(); i++) {
      String f = "flows[" + i + "]";
      JsonNode e = flows.get(i);
      if (!e.isObject()) {
        throw CiInputException.at(file, f, "must be a mapping {from, to, port, protocol, count}");
      }
      for (String k : e.propertyNames()) {
        if (!FLOW.contains(k) && !k.startsWith("x-")) {
          throw CiInputException.at(file, f + "." + k, "unknown field (known: " + new java.util.TreeSet<>(FLOW) + ")");
        }
      }
      String from = endpoint(file, f + ".from", e.path("from"), false);
      String to = endpoint(file, f + ".to", e.path("to"), true);
      int port = number(file, f + ".port", e.path("port"), 1, 65535);
      int count = number(file, f + ".count", e.path("count"), 1, 10_000);
      String protocol = e.path("protocol").isMissingNode() ? "TCP" : e.path("protocol").asString("");
      if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
        throw CiInputException.at(file, f + ".protocol", "must be TCP or UDP, not '" + protocol + "'");
      }
      out.add(new Flow(file + " " + f, from, to, port, protocol, count));
    }
    return out;
  }

  private static String endpoint(String file, String field, JsonNode v, boolean destination) {
    String s = v.isString() ? v.asString() : "";
    String[] p = s.split("/");
    boolean ok = (p.length == 2 && !p[0].equals("service") && !p[0].equals("workload"))
        || (p.length == 4 && p[0].equals("workload"))
        || (destination && p.length == 3 && p[0].equals("service"));
    if (!ok) {
      throw CiInputException.at(file, field, "must be ns/pod, workload/NS/KIND/NAME"
          + (destination ? " or service/NS/NAME" : "") + ", not " + (v.isMissingNode() ? "missing" : v.toString()));
    }
    return s;
  }

  private static int number(String file, String field, JsonNode v, int min, int max) {
    if (!v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      throw CiInputException.at(file, field, "must be a number " + min + ".." + max + ", not "
          + (v.isMissingNode() ? "missing" : v.toString()));
    }
    return v.asInt();
  }
}

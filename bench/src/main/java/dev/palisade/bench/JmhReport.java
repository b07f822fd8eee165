package dev.palisade.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a JMH JSON result file into a RESULTS.md section: one row per benchmark and parameter
 * set, and the ratios the compile goals are judged by (incremental / full, in the same run).
 *
 * <p>Usage: {@code JmhReport JMH.json RESULTS.md "how it was run"}.
 */
public final class JmhReport {
  private JmhReport() {}

  public static void main(String[] args) throws Exception {
    JsonNode runs = JsonMapper.builder().build().readTree(Files.readString(Path.of(args[0])));
    StringBuilder sb = new StringBuilder("\n## JMH: compile, ingest (" + java.time.LocalDate.now() + ")\n\n");
    sb.append("Scenario `CompileScenario.paperSized()`: 10k pods, 1k workloads, 100k edges. Run: ").append(args[2])
        .append(". `lookup=map` is the compiler's own cost; `lookup=controller` resolves vertices as the controller does.\n\n");
    sb.append("| benchmark | params | score | error (99.9%) | unit |\n|---|---|---|---|---|\n");
    Map<String, Double> score = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      String name = r.path("benchmark").asString();
      name = name.substring(name.lastIndexOf('.') + 1);
      StringBuilder params = new StringBuilder();
      r.path("params").properties().forEach(e -> params.append(e.getKey()).append('=').append(e.getValue().asString()).append(' '));
      JsonNode m = r.path("primaryMetric");
      double s = m.path("score").asDouble(Double.NaN);
      score.put(name + " " + params.toString().strip(), s);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %,.3f | %,.3f | %s |%n", name, params.toString().strip(), s,
          m.path("scoreError").asDouble(Double.NaN), m.path("scoreUnit").asString()));
    }
    for (String lookup : new String[] {"map", "controller"}) {
      Double full = score.get("compileFull lookup=" + lookup);
      Double publish = score.get("publishIncremental lookup=" + lookup);
      if (full != null && publish != null && full > 0) {
        sb.append(String.format(Locale.ROOT, "%nOne approval's publish path / full compile (lookup=%s): %.4f.", lookup,
            publish / full));
      }
    }
    sb.append("\n");
    Files.writeString(Path.of(args[1]), sb.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}

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
    StringBuilder sb = new StringBuilder("\n## JMH: compile, ingest, render, diff, IP history, libnftables (" + java.time.LocalDate.now() + ")\n\n");
    sb.append("CompileBench: `CompileScenario.paperSized()`, 10k pods, 1k workloads, 100k edges; `lookup=map` is the ")
        .append("compiler's own cost, `lookup=controller` resolves vertices as the controller does. DataplaneBench: render ")
        .append("and diff of one enforced pod with 100k tuples, IP-history lookups among 10k reused addresses, a no-op ")
        .append("libnftables call through JNR, kernel transactions of 1 and 10,000 set elements. Run: ").append(args[2])
        .append(".\n\n");
    sb.append("| benchmark | params | score | error (99.9%) | unit |\n|---|---|---|---|---|\n");
    Map<String, Double> score = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      String name = r.path("benchmark").asString();
      name = name.substring(name.lastIndexOf('.') + 1);
      StringBuilder params = new StringBuilder();
      r.path("params").properties().forEach(e -> params.append(e.getKey()).append('=').append(e.getValue().asString()).append(' '));
      JsonNode m = r.path("primaryMetric");
      double s = m.path("score").asDouble(Double.NaN);
      score.put((name + " " + params.toString()).strip(), s);
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
    Double tx1 = score.get("tx1");
    Double tx10k = score.get("tx10k");
    Double jnr = score.get("jnrTrivial");
    if (tx1 != null && tx10k != null && jnr != null) {
      sb.append(String.format(Locale.ROOT, "%nOne kernel transaction of 10,000 elements: %,.0f elements/s; of one element: "
          + "%.2fx a no-op libnftables call (the fixed cost of a transaction is most of a small one).", 10_000 / (tx10k / 1e6),
          tx1 / jnr));
    }
    sb.append("\n\n");
    Double full = score.get("compileFull lookup=controller");
    Double publish = score.get("publishIncremental lookup=controller");
    Double ingest = score.get("ingest lookup=controller");
    if (full != null) {
      sb.append(Goal.line("full compile (10k pods, 1k workloads, 100k edges) <= 1 s (ms, the controller's lookup)", full,
          1000, false, "the compile resolves 200k vertex names to identities"));
    }
    if (publish != null) {
      sb.append(Goal.line("incremental compile p99 <= 10 ms (ms; JMH's mean of the controller's publish path for one "
          + "approval, not a p99)", publish, 10, false, "the publish path scans the edges touching both ends"));
    }
    if (ingest != null) {
      sb.append(Goal.line(">= 1M flow records/s into the graph (the controller's lookup)", ingest, 1_000_000, true,
          "every record resolves its two ends through the controller's synchronized identity lookup and a "
          + "WorkloadRef's text; with a plain map lookup (lookup=map, above) ingest is about twice as fast"));
    }
    Files.writeString(Path.of(args[1]), sb.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
